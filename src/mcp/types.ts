/** How aiplus reaches an MCP server: Streamable HTTP, or a stdio process it starts in the bubblewrap sandbox. */
export type McpTransport = "streamable-http" | "stdio";

/** How a stdio MCP server is started, always sandboxed (admin-registered only). `env` values are secrets. */
export type McpStdioCommand = {
  /** Absolute path of the program (under /usr, or inside one of `binds`). */
  command: string;
  args: string[];
  env: Record<string, string>;
  /** Absolute host folders bound read-only into the sandbox (e.g. the server's script and its modules). */
  binds: string[];
};

/** A registered MCP server. `headers` are secrets: API views show only their names. */
export type McpServerRecord = {
  /** `[a-z0-9_-]`, unique; tools are exposed to models as `label__tool`. */
  label: string;
  url: string;
  transport: McpTransport;
  headers: Record<string, string>;
  /** Set exactly for `stdio` servers (whose `url` is empty). */
  stdio?: McpStdioCommand | undefined;
  /** Tool names the server may expose; undefined allows all. */
  allowedTools: string[] | undefined;
  /** Epoch ms. */
  createdAt: number;
};

/** A tool's approval state: never approved, approved with its current hash, or changed since it was approved. */
export type McpToolStatus = "new" | "approved" | "changed";

/** One tool as an MCP server lists it now, with its hash and approval state. */
export type McpToolView = {
  server: string;
  name: string;
  /** `label__tool`: the name models see. */
  namespacedName: string;
  description: string | undefined;
  inputSchema: Record<string, unknown>;
  /** sha256 of name, description and canonical input schema. */
  hash: string;
  status: McpToolStatus;
  approvedHash: string | undefined;
  /** Whether the server's `allowedTools` lets it be used. */
  allowed: boolean;
};

/** An approved tool hash. */
export type McpToolApproval = { server: string; tool: string; hash: string; approvedBy: string; approvedAt: number };

/** A key's grant on a server: the tools it may list and call (undefined: every allowed tool). */
export type McpGrant = { server: string; keyId: string; tools: string[] | undefined; createdAt: number };

/** Who lists or calls MCP tools: an API key, or the local operator (CLI: `keyId` undefined, admin). */
export type McpCaller = { keyId: string | undefined; isAdmin: boolean; allowCodeExecution?: boolean | undefined };

/** The result of a tool call, as the MCP server returned it. */
export type McpToolResult = {
  content: unknown[];
  structuredContent?: Record<string, unknown> | undefined;
  isError: boolean;
};
