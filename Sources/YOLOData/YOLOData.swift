// Images, letterbox and datasets.
