# Sourced by scripts that train on a private copy of ../shared/datasets/coco8-pose.
# coco8_copy DIR [TRAIN]: copies the dataset to DIR/coco8-pose (writable) and writes DIR/data.yaml with TRAIN as
# the train split (default images/train).
coco8_copy() {
    local dir="$1" train="${2:-images/train}"
    cp -r ../shared/datasets/coco8-pose "$dir/coco8-pose"
    chmod -R u+w "$dir/coco8-pose"
    printf '%s\n' "path: $dir/coco8-pose" "train: $train" "val: images/val" "kpt_shape: [17, 3]" \
        "flip_idx: [0, 2, 1, 4, 3, 6, 5, 8, 7, 10, 9, 12, 11, 14, 13, 16, 15]" "names:" "  0: person" > "$dir/data.yaml"
}
