// aiplus-score: prompt log-probabilities for aiplus, as a helper process.
//
// Loads one GGUF and answers binary requests on stdin with binary replies on stdout until stdin closes.
// Scoring requests are evaluated like llama-perplexity's HellaSwag scorer: several sequences per llama_batch
// (a group's common prefix is decoded once for all of its sequences), the memory cleared between batches,
// and only the log-softmax of each target token (plus, on request, the top-k alternatives) leaves the process.
//
// Framing (all integers little-endian): every message is `u32 length` followed by `length` bytes of payload.
//   request payload: u32 id, u8 kind, body
//     kind 1 (score):    u32 top_k, u32 group_count, per group: u32 request_count,
//                        per request: u32 token_count, u32 from, i32 tokens[token_count]
//     kind 2 (tokenize): u8 add_bos, u32 byte_count, bytes (UTF-8)
//     kind 3 (tokenize several texts): u32 text_count, per text: u8 add_bos, u32 byte_count, bytes (UTF-8)
//   reply payload: u32 id, u8 status (0 ok, 1 error), body
//     error:    u32 byte_count, bytes (UTF-8 message)
//     score:    per group, per request (count = token_count - from): f32 logprobs[count],
//               then, when top_k > 0, i32 top_ids[count * top_k] and f32 top_logprobs[count * top_k]
//     tokenize: u32 token_count, i32 tokens[token_count]
//     tokenize several texts: per text: u32 token_count, i32 tokens[token_count]
//   On start the tool writes one reply with id 0: u32 context_size, u32 vocabulary_size, i32 bos, i32 eos,
//   u8 add_bos, u32 training_context, u32 max_sequences.
//
// Arguments: --model PATH [--threads N] [--context N] [--batch N] [--sequences N] [--gpu-layers N] [--batch-tokens N]
#include "ggml-backend.h"
#include "llama.h"

#include <algorithm>
#include <climits>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

#include <cstdlib>
#include <unistd.h>

namespace {

constexpr uint32_t maximum_message_bytes = 512u << 20;
constexpr uint8_t kind_score = 1;
constexpr uint8_t kind_tokenize = 2;
constexpr uint8_t kind_tokenize_many = 3;

struct Options {
    std::string model_path;
    int threads = 1;
    int context = 2048;
    int batch = 512;
    int sequences = 64;
    // Further groups join a batch only while it holds fewer tokens than this. The default puts one group per batch,
    // as llama-perplexity's HellaSwag scorer does: measured fastest on CPU, where packing more groups makes every
    // token's attention span more (masked) cells without making the matrix products cheaper.
    int batch_tokens = 1;
    int gpu_layers = 0;
};

class Reader {
  public:
    Reader(const uint8_t * data, size_t size) : data_(data), size_(size) {}

    uint8_t u8() { need(1); return data_[offset_++]; }
    uint32_t u32() {
        need(4);
        uint32_t value;
        std::memcpy(&value, data_ + offset_, 4);
        offset_ += 4;
        return value;
    }
    int32_t i32() { return static_cast<int32_t>(u32()); }
    std::string bytes(size_t count) {
        need(count);
        std::string value(reinterpret_cast<const char *>(data_ + offset_), count);
        offset_ += count;
        return value;
    }
    bool at_end() const { return offset_ == size_; }

  private:
    void need(size_t count) const {
        if (size_ - offset_ < count) throw std::runtime_error("malformed request: the message ends early");
    }
    const uint8_t * data_;
    size_t size_;
    size_t offset_ = 0;
};

class Writer {
  public:
    void u8(uint8_t value) { buffer_.push_back(value); }
    void u32(uint32_t value) { raw(&value, 4); }
    void i32(int32_t value) { raw(&value, 4); }
    void f32(float value) { raw(&value, 4); }
    void raw(const void * data, size_t size) {
        const auto * bytes = static_cast<const uint8_t *>(data);
        buffer_.insert(buffer_.end(), bytes, bytes + size);
    }
    void send() {
        const auto length = static_cast<uint32_t>(buffer_.size());
        std::fwrite(&length, 4, 1, stdout);
        std::fwrite(buffer_.data(), 1, buffer_.size(), stdout);
        std::fflush(stdout);
        buffer_.clear();
    }

  private:
    std::vector<uint8_t> buffer_;
};

void send_error(uint32_t id, const std::string & message) {
    Writer writer;
    writer.u32(id);
    writer.u8(1);
    writer.u32(static_cast<uint32_t>(message.size()));
    writer.raw(message.data(), message.size());
    writer.send();
}

struct ScoreRequest {
    std::vector<llama_token> tokens;
    uint32_t from = 0;
    // Results: one entry per scored token (tokens[from..]).
    std::vector<float> logprobs;
    std::vector<int32_t> top_ids;
    std::vector<float> top_logprobs;
};

struct Group {
    std::vector<ScoreRequest> requests;
};

// A piece of a batch: some requests of one group sharing `prefix` leading tokens (decoded once).
struct Unit {
    Group * group;
    std::vector<size_t> members;
    size_t prefix;
    size_t tokens;
};

// Which scored token an output row of the batch predicts.
struct Target {
    ScoreRequest * request;
    size_t scored_index;  // index into request->logprobs
};

struct Row {
    std::vector<Target> targets;
};

// log(sum(exp(logits))), computed as llama-perplexity does (max-shifted float exponentials); this file is built
// with -ffast-math so that the loops vectorize (glibc's vector expf), which is what keeps large vocabularies cheap.
float log_sum_exp(const float * logits, int32_t count) {
    float maximum = logits[0];
    for (int32_t index = 1; index < count; index++) maximum = logits[index] > maximum ? logits[index] : maximum;
    float sum = 0.0f;
    for (int32_t index = 0; index < count; index++) sum += expf(logits[index] - maximum);
    return maximum + logf(sum);
}

class Scorer {
  public:
    Scorer(llama_context * context, const llama_vocab * vocabulary, const Options & options)
        : context_(context),
          vocabulary_(vocabulary),
          vocabulary_size_(llama_vocab_n_tokens(vocabulary)),
          context_size_(static_cast<size_t>(llama_n_ctx(context))),
          batch_size_(static_cast<size_t>(llama_n_batch(context))),
          sequences_(static_cast<size_t>(options.sequences)),
          batch_tokens_(static_cast<size_t>(options.batch_tokens)),
          batch_(llama_batch_init(static_cast<int32_t>(llama_n_batch(context)), 0, options.sequences)) {}

    ~Scorer() { llama_batch_free(batch_); }

    void score(std::vector<Group> & groups, uint32_t top_k) {
        top_k_ = std::min<uint32_t>(top_k, static_cast<uint32_t>(vocabulary_size_));
        std::vector<Unit> units;
        for (auto & group : groups) plan_group(group, units);
        size_t next = 0;
        while (next < units.size()) {
            size_t tokens = 0;
            size_t sequences = 0;
            size_t end = next;
            // A batch takes units up to the token budget (always at least one; see Options::batch_tokens).
            while (end < units.size() && (end == next || tokens + units[end].tokens <= batch_tokens_) &&
                   tokens + units[end].tokens <= context_size_ && sequences + units[end].members.size() <= sequences_) {
                tokens += units[end].tokens;
                sequences += units[end].members.size();
                end++;
            }
            run_batch(units, next, end);
            next = end;
        }
    }

    size_t context_size() const { return context_size_; }
    int32_t vocabulary_size() const { return vocabulary_size_; }

  private:
    struct Entry {
        llama_token token;
        llama_pos position;
        int32_t first_sequence;  // sequences first_sequence .. first_sequence + sequence_count - 1
        int32_t sequence_count;
        int32_t row;             // output row, or -1
    };

    static size_t common_prefix(const Group & group, const std::vector<size_t> & members) {
        const auto & first = group.requests[members[0]].tokens;
        size_t length = first.size();
        for (size_t index = 1; index < members.size(); index++) {
            const auto & tokens = group.requests[members[index]].tokens;
            size_t shared = 0;
            while (shared < length && shared < tokens.size() && tokens[shared] == first[shared]) shared++;
            length = shared;
        }
        // Every member evaluates its tokens but the last; the prefix never holds a member's last token.
        for (size_t member : members) length = std::min(length, group.requests[member].tokens.size() - 1);
        return length;
    }

    static size_t unit_tokens(const Group & group, const std::vector<size_t> & members, size_t prefix) {
        size_t total = prefix;
        for (size_t member : members) total += group.requests[member].tokens.size() - 1 - prefix;
        return total;
    }

    // Splits a group's requests (those with something to score) into units that fit one batch each.
    void plan_group(Group & group, std::vector<Unit> & units) {
        std::vector<size_t> members;
        for (size_t index = 0; index < group.requests.size(); index++) {
            const auto & request = group.requests[index];
            if (request.tokens.size() > request.from) members.push_back(index);
        }
        if (members.empty()) return;
        std::vector<size_t> current;
        for (size_t member : members) {
            std::vector<size_t> candidate = current;
            candidate.push_back(member);
            const size_t prefix = common_prefix(group, candidate);
            const bool fits = candidate.size() <= sequences_ && unit_tokens(group, candidate, prefix) <= context_size_;
            if (fits) {
                current = std::move(candidate);
                continue;
            }
            if (current.empty()) {
                throw std::runtime_error("a scored sequence of " + std::to_string(group.requests[member].tokens.size()) +
                                         " tokens does not fit the scoring context of " + std::to_string(context_size_) + " tokens");
            }
            const size_t current_prefix = common_prefix(group, current);
            units.push_back({&group, current, current_prefix, unit_tokens(group, current, current_prefix)});
            current = {member};
            const size_t alone = common_prefix(group, current);
            if (unit_tokens(group, current, alone) > context_size_) {
                throw std::runtime_error("a scored sequence of " + std::to_string(group.requests[member].tokens.size()) +
                                         " tokens does not fit the scoring context of " + std::to_string(context_size_) + " tokens");
            }
        }
        const size_t prefix = common_prefix(group, current);
        units.push_back({&group, current, prefix, unit_tokens(group, current, prefix)});
    }

    // Whether the logits after position `position` of `request` are needed (they predict token position + 1).
    static bool wanted(const ScoreRequest & request, size_t position) {
        return position + 1 >= request.from && position + 1 < request.tokens.size();
    }

    void run_batch(std::vector<Unit> & units, size_t begin, size_t end) {
        std::vector<Entry> entries;
        std::vector<Row> rows;
        int32_t next_sequence = 0;
        for (size_t index = begin; index < end; index++) {
            Unit & unit = units[index];
            const int32_t first_sequence = next_sequence;
            const auto count = static_cast<int32_t>(unit.members.size());
            next_sequence += count;
            const auto & lead = unit.group->requests[unit.members[0]].tokens;
            for (size_t position = 0; position < unit.prefix; position++) {
                Row row;
                for (size_t member : unit.members) {
                    ScoreRequest & request = unit.group->requests[member];
                    if (wanted(request, position)) row.targets.push_back({&request, position + 1 - request.from});
                }
                int32_t row_index = -1;
                if (!row.targets.empty()) {
                    row_index = static_cast<int32_t>(rows.size());
                    rows.push_back(std::move(row));
                }
                entries.push_back({lead[position], static_cast<llama_pos>(position), first_sequence, count, row_index});
            }
            for (size_t slot = 0; slot < unit.members.size(); slot++) {
                ScoreRequest & request = unit.group->requests[unit.members[slot]];
                for (size_t position = unit.prefix; position + 1 < request.tokens.size(); position++) {
                    int32_t row_index = -1;
                    if (wanted(request, position)) {
                        row_index = static_cast<int32_t>(rows.size());
                        rows.push_back({{{&request, position + 1 - request.from}}});
                    }
                    entries.push_back({request.tokens[position], static_cast<llama_pos>(position),
                                       first_sequence + static_cast<int32_t>(slot), 1, row_index});
                }
            }
        }

        llama_memory_clear(llama_get_memory(context_), true);
        for (size_t start = 0; start < entries.size(); start += batch_size_) {
            const size_t stop = std::min(entries.size(), start + batch_size_);
            batch_.n_tokens = 0;
            std::vector<int32_t> output_rows;
            for (size_t index = start; index < stop; index++) {
                const Entry & entry = entries[index];
                const int32_t slot = batch_.n_tokens;
                batch_.token[slot] = entry.token;
                batch_.pos[slot] = entry.position;
                batch_.n_seq_id[slot] = entry.sequence_count;
                for (int32_t sequence = 0; sequence < entry.sequence_count; sequence++) {
                    batch_.seq_id[slot][sequence] = entry.first_sequence + sequence;
                }
                batch_.logits[slot] = entry.row >= 0;
                batch_.n_tokens++;
                if (entry.row >= 0) output_rows.push_back(slot);
            }
            const int result = llama_decode(context_, batch_);
            if (result != 0) throw std::runtime_error("llama_decode failed with status " + std::to_string(result));
            for (int32_t slot : output_rows) {
                const float * logits = llama_get_logits_ith(context_, slot);
                if (logits == nullptr) throw std::runtime_error("llama.cpp returned no logits for a scored position");
                score_row(logits, rows[static_cast<size_t>(entries[start + static_cast<size_t>(slot)].row)]);
            }
        }
    }

    void score_row(const float * logits, const Row & row) {
        const float normalizer = log_sum_exp(logits, vocabulary_size_);
        for (const Target & target : row.targets) {
            const llama_token token = target.request->tokens[target.request->from + target.scored_index];
            target.request->logprobs[target.scored_index] = logits[token] - normalizer;
        }
        if (top_k_ == 0) return;
        candidates_.resize(static_cast<size_t>(vocabulary_size_));
        for (int32_t token = 0; token < vocabulary_size_; token++) candidates_[static_cast<size_t>(token)] = token;
        std::partial_sort(candidates_.begin(), candidates_.begin() + top_k_, candidates_.end(), [logits](int32_t left, int32_t right) {
            return logits[left] > logits[right] || (logits[left] == logits[right] && left < right);
        });
        for (const Target & target : row.targets) {
            const size_t offset = target.scored_index * top_k_;
            for (uint32_t rank = 0; rank < top_k_; rank++) {
                const int32_t token = candidates_[rank];
                target.request->top_ids[offset + rank] = token;
                target.request->top_logprobs[offset + rank] = logits[token] - normalizer;
            }
        }
    }

    llama_context * context_;
    const llama_vocab * vocabulary_;
    int32_t vocabulary_size_;
    size_t context_size_;
    size_t batch_size_;
    size_t sequences_;
    size_t batch_tokens_;
    llama_batch batch_;
    uint32_t top_k_ = 0;
    std::vector<int32_t> candidates_;
};

void handle_score(Scorer & scorer, uint32_t id, Reader & reader) {
    const uint32_t top_k = reader.u32();
    const uint32_t group_count = reader.u32();
    std::vector<Group> groups;
    groups.reserve(std::min<uint32_t>(group_count, 1u << 16));
    for (uint32_t group_index = 0; group_index < group_count; group_index++) {
        Group group;
        const uint32_t request_count = reader.u32();
        for (uint32_t request_index = 0; request_index < request_count; request_index++) {
            ScoreRequest request;
            const uint32_t token_count = reader.u32();
            request.from = reader.u32();
            if (request.from < 1 || request.from > token_count) {
                throw std::runtime_error("from must be an integer from 1 to " + std::to_string(token_count) + ", got " + std::to_string(request.from));
            }
            if (token_count > scorer.context_size()) {
                throw std::runtime_error("a scored sequence has " + std::to_string(token_count) + " tokens, more than the scoring context of " +
                                         std::to_string(scorer.context_size()) + " tokens");
            }
            request.tokens.resize(token_count);
            for (uint32_t index = 0; index < token_count; index++) {
                const int32_t token = reader.i32();
                if (token < 0 || token >= scorer.vocabulary_size()) {
                    throw std::runtime_error("token ids must be integers from 0 to " + std::to_string(scorer.vocabulary_size() - 1) + ", got " + std::to_string(token));
                }
                request.tokens[index] = token;
            }
            const size_t scored = token_count - request.from;
            const size_t top = std::min<size_t>(top_k, static_cast<size_t>(scorer.vocabulary_size()));
            request.logprobs.assign(scored, 0.0f);
            request.top_ids.assign(scored * top, 0);
            request.top_logprobs.assign(scored * top, 0.0f);
            group.requests.push_back(std::move(request));
        }
        groups.push_back(std::move(group));
    }
    if (!reader.at_end()) throw std::runtime_error("malformed request: bytes after the last group");
    scorer.score(groups, top_k);
    Writer writer;
    writer.u32(id);
    writer.u8(0);
    for (const auto & group : groups) {
        for (const auto & request : group.requests) {
            writer.raw(request.logprobs.data(), request.logprobs.size() * sizeof(float));
            if (top_k > 0) {
                writer.raw(request.top_ids.data(), request.top_ids.size() * sizeof(int32_t));
                writer.raw(request.top_logprobs.data(), request.top_logprobs.size() * sizeof(float));
            }
        }
    }
    writer.send();
}

// Text to token ids without special tokens or parsing of special-token text (common_tokenize(vocab, text, false, false)).
std::vector<llama_token> tokenize(const llama_vocab * vocabulary, const std::string & text) {
    std::vector<llama_token> tokens(text.size() + 2);
    int32_t count = llama_tokenize(vocabulary, text.data(), static_cast<int32_t>(text.size()), tokens.data(), static_cast<int32_t>(tokens.size()), false, false);
    if (count == INT32_MIN) throw std::runtime_error("the text is too long to tokenize");
    if (count < 0) {
        tokens.resize(static_cast<size_t>(-count));
        count = llama_tokenize(vocabulary, text.data(), static_cast<int32_t>(text.size()), tokens.data(), static_cast<int32_t>(tokens.size()), false, false);
        if (count < 0) throw std::runtime_error("tokenization failed");
    }
    tokens.resize(static_cast<size_t>(count));
    return tokens;
}

// One text of a tokenize request: its tokens, with BOS first when asked for and the vocabulary adds one.
std::vector<llama_token> tokenize_text(const llama_vocab * vocabulary, Reader & reader) {
    const bool add_bos = reader.u8() != 0;
    const uint32_t byte_count = reader.u32();
    std::vector<llama_token> tokens = tokenize(vocabulary, reader.bytes(byte_count));
    const llama_token bos = llama_vocab_bos(vocabulary);
    if (add_bos && bos != LLAMA_TOKEN_NULL && llama_vocab_get_add_bos(vocabulary)) tokens.insert(tokens.begin(), bos);
    return tokens;
}

void handle_tokenize(const llama_vocab * vocabulary, uint32_t id, Reader & reader, bool several) {
    const uint32_t count = several ? reader.u32() : 1;
    std::vector<std::vector<llama_token>> texts;
    for (uint32_t index = 0; index < count; index++) texts.push_back(tokenize_text(vocabulary, reader));
    if (!reader.at_end()) throw std::runtime_error("malformed request: bytes after the text");
    Writer writer;
    writer.u32(id);
    writer.u8(0);
    for (const auto & tokens : texts) {
        writer.u32(static_cast<uint32_t>(tokens.size()));
        writer.raw(tokens.data(), tokens.size() * sizeof(llama_token));
    }
    writer.send();
}

bool read_exact(void * buffer, size_t size) {
    return size == 0 || std::fread(buffer, 1, size, stdin) == size;
}

int parse_int(const char * value, const char * name) {
    char * end = nullptr;
    const long parsed = std::strtol(value, &end, 10);
    if (end == value || *end != '\0' || parsed < 0 || parsed > (1 << 24)) {
        std::fprintf(stderr, "aiplus-score: %s must be a non-negative integer, got %s\n", name, value);
        std::exit(2);
    }
    return static_cast<int>(parsed);
}

Options parse_options(int argc, char ** argv) {
    Options options;
    for (int index = 1; index < argc; index++) {
        const std::string name = argv[index];
        if (index + 1 >= argc) {
            std::fprintf(stderr, "aiplus-score: %s needs a value\n", name.c_str());
            std::exit(2);
        }
        const char * value = argv[++index];
        if (name == "--model") options.model_path = value;
        else if (name == "--threads") options.threads = std::max(1, parse_int(value, "--threads"));
        else if (name == "--context") options.context = std::max(16, parse_int(value, "--context"));
        else if (name == "--batch") options.batch = std::max(16, parse_int(value, "--batch"));
        else if (name == "--sequences") options.sequences = std::clamp(parse_int(value, "--sequences"), 1, 256);
        else if (name == "--gpu-layers") options.gpu_layers = parse_int(value, "--gpu-layers");
        else if (name == "--batch-tokens") options.batch_tokens = std::max(1, parse_int(value, "--batch-tokens"));
        else {
            std::fprintf(stderr, "aiplus-score: unknown option %s\n", name.c_str());
            std::exit(2);
        }
    }
    if (options.model_path.empty()) {
        std::fprintf(stderr, "aiplus-score: --model is required\n");
        std::exit(2);
    }
    return options;
}

void log_errors_only(ggml_log_level level, const char * text, void *) {
    if (level == GGML_LOG_LEVEL_ERROR || level == GGML_LOG_LEVEL_WARN) std::fputs(text, stderr);
}

/** The folder this executable lives in (Linux: /proc/self/exe; elsewhere the resolved argv[0]). */
std::string executable_directory(const char * argv0) {
    std::string path;
#ifdef __linux__
    char buffer[PATH_MAX];
    const ssize_t length = readlink("/proc/self/exe", buffer, sizeof(buffer) - 1);
    if (length > 0) path.assign(buffer, static_cast<size_t>(length));
#endif
    if (path.empty()) {
        char resolved[PATH_MAX];
        path = realpath(argv0, resolved) != nullptr ? resolved : argv0;
    }
    const size_t slash = path.find_last_of('/');
    return slash == std::string::npos ? std::string(".") : path.substr(0, slash);
}

}  // namespace

int main(int argc, char ** argv) {
    const Options options = parse_options(argc, argv);
    llama_log_set(log_errors_only, nullptr);
#ifdef AIPLUS_SCORE_BACKEND_SUBDIR
    // Linked against node-llama-cpp's prebuilt libraries (copied next to this binary): load their CPU backend (the
    // variant for this CPU) the way node-llama-cpp does, so that scores are bit-for-bit the in-process engine's.
    const std::string backend_directory = executable_directory(argv[0]) + "/" AIPLUS_SCORE_BACKEND_SUBDIR;
    ggml_backend_load_all_from_path(backend_directory.c_str());
#endif
    llama_backend_init();

    llama_model_params model_params = llama_model_default_params();
    model_params.n_gpu_layers = options.gpu_layers;
    llama_model * model = llama_model_load_from_file(options.model_path.c_str(), model_params);
    if (model == nullptr) {
        std::fprintf(stderr, "aiplus-score: cannot load the model %s\n", options.model_path.c_str());
        return 3;
    }
    const llama_vocab * vocabulary = llama_model_get_vocab(model);

    llama_context_params context_params = llama_context_default_params();
    context_params.n_ctx = static_cast<uint32_t>(options.context);
    context_params.n_batch = static_cast<uint32_t>(std::min(options.batch, options.context));
    context_params.n_ubatch = context_params.n_batch;
    context_params.n_seq_max = static_cast<uint32_t>(options.sequences);
    context_params.n_threads = options.threads;
    context_params.n_threads_batch = options.threads;
    context_params.kv_unified = true;
    // Flash attention as the in-process engine has it (node-llama-cpp's default `auto`, llama.cpp's default too).
    context_params.flash_attn_type = LLAMA_FLASH_ATTN_TYPE_AUTO;
    context_params.no_perf = true;
    llama_context * context = llama_init_from_model(model, context_params);
    if (context == nullptr) {
        std::fprintf(stderr, "aiplus-score: cannot create a context of %d tokens\n", options.context);
        llama_model_free(model);
        return 3;
    }

    {
        Scorer scorer(context, vocabulary, options);
        Writer ready;
        ready.u32(0);
        ready.u8(0);
        ready.u32(static_cast<uint32_t>(llama_n_ctx(context)));
        ready.u32(static_cast<uint32_t>(llama_vocab_n_tokens(vocabulary)));
        ready.i32(llama_vocab_bos(vocabulary));
        ready.i32(llama_vocab_eos(vocabulary));
        ready.u8(llama_vocab_get_add_bos(vocabulary) ? 1 : 0);
        ready.u32(static_cast<uint32_t>(llama_model_n_ctx_train(model)));
        ready.u32(static_cast<uint32_t>(options.sequences));
        ready.send();

        std::vector<uint8_t> message;
        for (;;) {
            uint32_t length = 0;
            if (!read_exact(&length, 4)) break;  // stdin closed: exit
            if (length < 5 || length > maximum_message_bytes) {
                send_error(0, "malformed request: message length " + std::to_string(length) + " is out of range; closing");
                return 4;  // the stream cannot be resynchronized
            }
            message.resize(length);
            if (!read_exact(message.data(), length)) break;
            Reader reader(message.data(), message.size());
            const uint32_t id = reader.u32();
            const uint8_t kind = reader.u8();
            try {
                switch (kind) {
                    case kind_score: handle_score(scorer, id, reader); break;
                    case kind_tokenize: handle_tokenize(vocabulary, id, reader, false); break;
                    case kind_tokenize_many: handle_tokenize(vocabulary, id, reader, true); break;
                    default: throw std::runtime_error("unknown request kind " + std::to_string(kind));
                }
            } catch (const std::exception & error) {
                send_error(id, error.what());
            }
        }
    }

    llama_free(context);
    llama_model_free(model);
    llama_backend_free();
    return 0;
}
