/// `model_ncnn.py`, the small script an ncnn export folder carries (the reference's converter writes one too): it
/// loads the param/bin pair with the `ncnn` Python package, feeds a random `in0` and prints `out0`'s shape.
enum NCNNSelfTest {
    /// The script for the folder named `folder` (paths relative to the folder's parent, as the export's cwd),
    /// with an input of `channels × input[0] × input[1]`.
    static func script(folder: String, input: [Int], channels: Int) -> String {
        """
        # Runs this folder's ncnn model once on a random input: python \(folder)/model_ncnn.py
        import numpy as np
        import ncnn


        def test_inference():
            rng = np.random.default_rng(0)
            in0 = rng.random((\(channels), \(input[0]), \(input[1])), dtype=np.float32)
            with ncnn.Net() as net:
                net.load_param("\(folder)/model.ncnn.param")
                net.load_model("\(folder)/model.ncnn.bin")
                with net.create_extractor() as ex:
                    ex.input("\(NCNNFormatWriter.inputBlob)", ncnn.Mat(in0).clone())
                    _, out0 = ex.extract("\(NCNNFormatWriter.outputBlob)")
                    return np.array(out0)


        if __name__ == "__main__":
            print(test_inference().shape)

        """
    }
}
