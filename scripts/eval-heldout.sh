#!/usr/bin/env bash
# The model card's held-out evaluation (decision protocol): a model folder through the runtime's
# `fastsam-xr eval` on the held-out side of models/data/split.json, both shared folders, click seeds
# 2023/2024/2025, two runs at a time (one onnxruntime thread each), then the 3-seed summary by target group.
#
#   bash scripts/eval-heldout.sh MODEL_DIR TAG [CROP]   -> .cache/eval/TAG-<folder>-<seed>.json, TAG-summary.json
# CROP: gt-center (default; the card's protocol) or first-click (the crop centred on the first click, as the
# server and `fastsam-xr segment` place it). Environment: SEEDS (default "2023 2024 2025"); EVAL_FLAGS, more
# flags for `fastsam-xr eval` (e.g. "--fold session --crop-extension off": the server's own fold).
set -euo pipefail
cd "$(dirname "$0")/.."
model=${1:?model folder}
tag=${2:?tag for the report files}
crop=${3:-gt-center}
shared=${FASTSAM_SHARED:-../shared}
out=.cache/eval
mkdir -p "$out"
jobs=()
for folder in volumes volumes_extra; do
  for seed in ${SEEDS:-2023 2024 2025}; do
    jobs+=("$folder $seed")
  done
done
run() {
  local folder=$1 seed=$2
  npx --no-install fastsam-xr eval --data "$shared/data/$folder" --split models/data/split.json --side held_out --crop "$crop" \
    --model "$model" --seed "$seed" --threads 1 ${EVAL_FLAGS:-} --json "$out/$tag-$folder-$seed.json" \
    >"$out/$tag-$folder-$seed.txt" 2>"$out/$tag-$folder-$seed.log"
}
for ((i = 0; i < ${#jobs[@]}; i += 2)); do
  run ${jobs[i]} &
  if ((i + 1 < ${#jobs[@]})); then run ${jobs[i + 1]} & fi
  wait
done
for job in "${jobs[@]}"; do
  set -- $job
  [ -s "$out/$tag-$1-$2.json" ] || { echo "eval-heldout: $tag $1 seed $2 failed, see $out/$tag-$1-$2.log" >&2; exit 1; }
done
/usr/bin/python3 scripts/eval-summary.py "$out/$tag"-volumes*-20*.json | tee "$out/$tag-summary.json"
