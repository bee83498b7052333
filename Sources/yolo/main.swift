print("yolo")
