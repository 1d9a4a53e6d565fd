import { SandboxUnavailableError } from "../spec/index.js";

/** Syscall numbers of the calls the filter refuses, per architecture. */
type SyscallTable = {
  /** `AUDIT_ARCH_*` value the kernel puts in `seccomp_data.arch`. */
  auditArch: number;
  /** x86_64: numbers at or above this are the x32 ABI, refused as a whole. */
  x32Base: number | undefined;
  socket: number;
  clone: number;
  clone3: number;
  /** Refused with EPERM. */
  denied: Record<string, number>;
};

const x86_64: SyscallTable = {
  auditArch: 0xc000003e,
  x32Base: 0x40000000,
  socket: 41,
  clone: 56,
  clone3: 435,
  denied: {
    ptrace: 101,
    syslog: 103,
    personality: 135,
    pivot_root: 155,
    chroot: 161,
    mount: 165,
    umount2: 166,
    swapon: 167,
    swapoff: 168,
    reboot: 169,
    init_module: 175,
    delete_module: 176,
    kexec_load: 246,
    add_key: 248,
    request_key: 249,
    keyctl: 250,
    unshare: 272,
    perf_event_open: 298,
    name_to_handle_at: 303,
    open_by_handle_at: 304,
    setns: 308,
    process_vm_readv: 310,
    process_vm_writev: 311,
    finit_module: 313,
    kexec_file_load: 320,
    bpf: 321,
    userfaultfd: 323,
    io_uring_setup: 425,
    io_uring_enter: 426,
    io_uring_register: 427,
    open_tree: 428,
    move_mount: 429,
    fsopen: 430,
    fsconfig: 431,
    fsmount: 432,
    fspick: 433,
    mount_setattr: 442,
  },
};

const aarch64: SyscallTable = {
  auditArch: 0xc00000b7,
  x32Base: undefined,
  socket: 198,
  clone: 220,
  clone3: 435,
  denied: {
    umount2: 39,
    mount: 40,
    pivot_root: 41,
    chroot: 51,
    personality: 92,
    unshare: 97,
    kexec_load: 104,
    init_module: 105,
    delete_module: 106,
    syslog: 116,
    ptrace: 117,
    reboot: 142,
    add_key: 217,
    request_key: 218,
    keyctl: 219,
    swapon: 224,
    swapoff: 225,
    perf_event_open: 241,
    name_to_handle_at: 264,
    open_by_handle_at: 265,
    setns: 268,
    process_vm_readv: 270,
    process_vm_writev: 271,
    finit_module: 273,
    bpf: 280,
    userfaultfd: 282,
    kexec_file_load: 294,
    io_uring_setup: 425,
    io_uring_enter: 426,
    io_uring_register: 427,
    open_tree: 428,
    move_mount: 429,
    fsopen: 430,
    fsconfig: 431,
    fsmount: 432,
    fspick: 433,
    mount_setattr: 442,
  },
};

// Classic BPF opcodes (linux/bpf_common.h) and seccomp return values (linux/seccomp.h).
const BPF_LD_W_ABS = 0x20; // BPF_LD | BPF_W | BPF_ABS
const BPF_JEQ_K = 0x15; // BPF_JMP | BPF_JEQ | BPF_K
const BPF_JGE_K = 0x35; // BPF_JMP | BPF_JGE | BPF_K
const BPF_JSET_K = 0x45; // BPF_JMP | BPF_JSET | BPF_K
const BPF_RET_K = 0x06; // BPF_RET | BPF_K
const SECCOMP_RET_KILL_PROCESS = 0x80000000;
const SECCOMP_RET_ERRNO = 0x00050000;
const SECCOMP_RET_ALLOW = 0x7fff0000;
const EPERM = 1;
const ENOSYS = 38;
const AF_UNIX = 1;
/** CLONE_NEWNS | NEWCGROUP | NEWUTS | NEWIPC | NEWUSER | NEWPID | NEWNET (NEWTIME shares bits with the exit signal in clone()). */
const CLONE_NAMESPACE_FLAGS = 0x00020000 | 0x02000000 | 0x04000000 | 0x08000000 | 0x10000000 | 0x20000000 | 0x40000000;
// struct seccomp_data: int nr; __u32 arch; __u64 instruction_pointer; __u64 args[6] (little-endian: low word first).
const OFFSET_NR = 0;
const OFFSET_ARCH = 4;
const OFFSET_ARG0_LOW = 16;

type Instruction = { code: number; jt: number; jf: number; k: number };

/** The syscalls the filter refuses on this machine's architecture (for documentation and tests). */
export function deniedSyscalls(architecture: string = process.arch): string[] {
  return [...Object.keys(syscallTable(architecture).denied), "socket (every family but AF_UNIX)", "clone with namespace flags", "clone3 (ENOSYS, so libc falls back to clone)"];
}

/**
 * A classic BPF seccomp program (the raw `struct sock_filter` array bwrap's `--seccomp FD` reads):
 * - another architecture's calling convention (e.g. i386 `int 0x80` on x86_64) kills the process, and so does x32;
 * - `socket()` of any family but AF_UNIX, `clone()` with a namespace flag, and the kernel-facing calls in the table
 *   (ptrace, mount, unshare, setns, keyctl, bpf, perf_event_open, userfaultfd, module and kexec calls, io_uring, …)
 *   fail with EPERM;
 * - `clone3()` fails with ENOSYS (its flags are behind a pointer a filter cannot read), so libc falls back to `clone()`;
 * - everything else is allowed (the namespaces and rlimits do the rest).
 */
export function buildSeccompFilter(architecture: string = process.arch): Buffer {
  const table = syscallTable(architecture);
  const program: Instruction[] = [];
  const load = (offset: number) => program.push({ code: BPF_LD_W_ABS, jt: 0, jf: 0, k: offset });
  const ret = (value: number) => program.push({ code: BPF_RET_K, jt: 0, jf: 0, k: value });
  // Jumps are resolved once the program's labelled tail is known: jt/jf hold label names until then.
  const pending: { index: number; whenTrue: string | undefined; whenFalse: string | undefined }[] = [];
  const jump = (code: number, k: number, whenTrue: string | undefined, whenFalse: string | undefined) => {
    pending.push({ index: program.length, whenTrue, whenFalse });
    program.push({ code, jt: 0, jf: 0, k });
  };

  load(OFFSET_ARCH);
  jump(BPF_JEQ_K, table.auditArch, undefined, "kill");
  load(OFFSET_NR);
  if (table.x32Base !== undefined) jump(BPF_JGE_K, table.x32Base, "kill", undefined);
  for (const number of Object.values(table.denied)) jump(BPF_JEQ_K, number, "eperm", undefined);
  jump(BPF_JEQ_K, table.clone3, "enosys", undefined);
  jump(BPF_JEQ_K, table.socket, "socket", undefined);
  jump(BPF_JEQ_K, table.clone, "clone", undefined);
  ret(SECCOMP_RET_ALLOW);
  const labels: Record<string, number> = {};
  labels.socket = program.length;
  load(OFFSET_ARG0_LOW);
  jump(BPF_JEQ_K, AF_UNIX, undefined, "eperm");
  ret(SECCOMP_RET_ALLOW);
  labels.clone = program.length;
  load(OFFSET_ARG0_LOW);
  jump(BPF_JSET_K, CLONE_NAMESPACE_FLAGS, "eperm", undefined);
  ret(SECCOMP_RET_ALLOW);
  labels.eperm = program.length;
  ret(SECCOMP_RET_ERRNO | EPERM);
  labels.enosys = program.length;
  ret(SECCOMP_RET_ERRNO | ENOSYS);
  labels.kill = program.length;
  ret(SECCOMP_RET_KILL_PROCESS);

  for (const { index, whenTrue, whenFalse } of pending) {
    const instruction = program[index]!;
    const offset = (label: string | undefined) => {
      if (label === undefined) return 0;
      const target = labels[label]!;
      const distance = target - index - 1;
      if (distance < 0 || distance > 255) throw new RangeError(`seccomp jump to ${label} out of range`);
      return distance;
    };
    instruction.jt = offset(whenTrue);
    instruction.jf = offset(whenFalse);
  }

  const buffer = Buffer.alloc(program.length * 8);
  program.forEach((instruction, index) => {
    buffer.writeUInt16LE(instruction.code, index * 8);
    buffer.writeUInt8(instruction.jt, index * 8 + 2);
    buffer.writeUInt8(instruction.jf, index * 8 + 3);
    buffer.writeUInt32LE(instruction.k >>> 0, index * 8 + 4);
  });
  return buffer;
}

function syscallTable(architecture: string): SyscallTable {
  switch (architecture) {
    case "x64":
      return x86_64;
    case "arm64":
      return aarch64;
    default:
      throw new SandboxUnavailableError({ message: `the code sandbox supports x86_64 and aarch64 only, not ${architecture}` });
  }
}
