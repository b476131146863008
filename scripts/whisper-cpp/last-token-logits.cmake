# Holdspace's one change to whisper.cpp: the vocabulary logits of a prompt are computed
# for its last token only.
#
# Why: Holdspace prompts Whisper with the replies on offer (it halves the word error
# rate), about 75 tokens. whisper.cpp (1.7.x, as vendored by whisper-rs-sys 0.15.0)
# projects every token of a batch onto the 51,864-word vocabulary although only the last
# one's logits are read (`batch.logits` marks it; upstream keeps the one-row view
# commented out, "might be useful in the future"). That projection is most of the
# prompt's cost: on the 2-core VM it took Whisper from 281-291 ms to 328-352 ms on the
# latency benchmark's replies (two threads), and the customer's answer waits on it.
# Transcripts are unchanged (the last token's row is the same product).
#
# How: whisper-rs-sys copies whisper.cpp into its OUT_DIR and forwards every CMAKE_*
# environment variable to CMake; .cargo/config.toml sets CMAKE_PROJECT_INCLUDE to this
# file, which CMake runs right after each project() call, before anything is compiled.
# It edits only that build copy (never the crate in ~/.cargo), is idempotent, and stops
# the build with a clear message if whisper.cpp's code no longer has the expected shape
# (a whisper-rs-sys upgrade): re-check the change, then update the two patterns.
if(NOT PROJECT_NAME STREQUAL "whisper.cpp")
  return()
endif()

set(_holdspace_src "${CMAKE_CURRENT_SOURCE_DIR}/src/whisper.cpp")
file(READ "${_holdspace_src}" _holdspace_text)
string(FIND "${_holdspace_text}" "HOLDSPACE_LAST_TOKEN_LOGITS" _holdspace_done)
if(NOT _holdspace_done EQUAL -1)
  return()
endif()

# 1. The decoder graph: when the batch wants one row of logits and it is the last token
#    (a prompt), project only that row. Other batches (several decoders) keep every row.
set(_holdspace_graph_from [=[    //cur = ggml_view_2d(ctx0, cur, cur->ne[0], 1, cur->nb[1], (cur->ne[1] - 1)*cur->nb[1]);
]=])
set(_holdspace_graph_to [=[    //cur = ggml_view_2d(ctx0, cur, cur->ne[0], 1, cur->nb[1], (cur->ne[1] - 1)*cur->nb[1]);
    // HOLDSPACE_LAST_TOKEN_LOGITS: a prompt reads only its last token's logits.
    if (!worst_case && n_tokens > 1) {
        int n_out = 0;
        for (int i = 0; i < n_tokens; ++i) {
            n_out += batch.logits[i] != 0;
        }
        if (n_out == 1 && batch.logits[n_tokens - 1]) {
            cur = ggml_view_2d(ctx0, cur, cur->ne[0], 1, cur->nb[1], (cur->ne[1] - 1)*cur->nb[1]);
        }
    }
]=])

# 2. Reading the logits back: a one-row result is that token's row.
set(_holdspace_read_from [=[        ggml_backend_tensor_get(logits, logits_out.data() + (n_vocab*i), sizeof(float)*(n_vocab*i), sizeof(float)*n_vocab);]=])
set(_holdspace_read_to [=[        const size_t row = logits->ne[1] == 1 ? 0 : i; // HOLDSPACE_LAST_TOKEN_LOGITS
        ggml_backend_tensor_get(logits, logits_out.data() + (n_vocab*i), sizeof(float)*(n_vocab*row), sizeof(float)*n_vocab);]=])

foreach(_holdspace_part graph read)
  string(FIND "${_holdspace_text}" "${_holdspace_${_holdspace_part}_from}" _holdspace_at)
  if(_holdspace_at EQUAL -1)
    message(FATAL_ERROR
      "scripts/whisper-cpp/last-token-logits.cmake: ${_holdspace_src} no longer has the "
      "code this patch expects (part '${_holdspace_part}'); whisper-rs-sys was probably "
      "upgraded. Check whether upstream now computes only the last token's logits; "
      "update or remove this patch (and CMAKE_PROJECT_INCLUDE in .cargo/config.toml).")
  endif()
  string(REPLACE "${_holdspace_${_holdspace_part}_from}" "${_holdspace_${_holdspace_part}_to}"
    _holdspace_text "${_holdspace_text}")
endforeach()

file(WRITE "${_holdspace_src}" "${_holdspace_text}")
message(STATUS "Holdspace: whisper.cpp computes a prompt's logits for its last token only")
