import XCTest
import YOLOTensor

/// Deterministic generator for test data.
struct TestRNG: RandomNumberGenerator {
    var base: SeededGenerator
    init(_ seed: UInt64) { base = SeededGenerator(seed: seed) }
    mutating func next() -> UInt64 { base.next() }
    mutating func floats(_ n: Int, _ lo: Float = -1, _ hi: Float = 1) -> [Float] {
        (0..<n).map { _ in Float.random(in: lo...hi, using: &self) }
    }
    /// `n` distinct values spaced by at least `gap` (a shuffled grid), for ops with argmax ties.
    mutating func distinct(_ n: Int, gap: Float = 0.01) -> [Float] {
        var v = (0..<n).map { Float($0) * gap - Float(n) * gap / 2 }
        v.shuffle(using: &self)
        return v
    }
}

func randomTensor(_ shape: [Int], _ rng: inout TestRNG, lo: Float = -1, hi: Float = 1, grad: Bool = false) -> Tensor {
    Tensor(shape: shape, values: rng.floats(shape.reduce(1, *), lo, hi), requiresGrad: grad)
}

/// Direct convolution: NHWC input, OIHW weight, PyTorch semantics (zero padding, dilation, groups).
struct NaiveConv {
    var stride = (1, 1), padding = (0, 0), dilation = (1, 1), groups = 1

    func outSize(_ h: Int, _ w: Int, _ kh: Int, _ kw: Int) -> (Int, Int) {
        ((h + 2 * padding.0 - dilation.0 * (kh - 1) - 1) / stride.0 + 1,
         (w + 2 * padding.1 - dilation.1 * (kw - 1) - 1) / stride.1 + 1)
    }

    /// Calls `body(outIndex, inIndex, weightIndex, oc)` for every multiply-accumulate.
    func forEachTap(x: [Int], w: [Int], _ body: (Int, Int, Int, Int) -> Void) {
        let (n, h, wd, c) = (x[0], x[1], x[2], x[3])
        let (oc, icg, kh, kw) = (w[0], w[1], w[2], w[3])
        let (oh, ow) = outSize(h, wd, kh, kw)
        let ocg = oc / groups
        for b in 0..<n { for oy in 0..<oh { for ox in 0..<ow { for o in 0..<oc {
            let g = o / ocg
            let outIdx = ((b * oh + oy) * ow + ox) * oc + o
            for ky in 0..<kh {
                let iy = oy * stride.0 - padding.0 + ky * dilation.0
                if iy < 0 || iy >= h { continue }
                for kx in 0..<kw {
                    let ix = ox * stride.1 - padding.1 + kx * dilation.1
                    if ix < 0 || ix >= wd { continue }
                    for i in 0..<icg {
                        let ci = g * icg + i
                        body(outIdx, ((b * h + iy) * wd + ix) * c + ci, ((o * icg + i) * kh + ky) * kw + kx, o)
                    }
                }
            }
        } } } }
    }

    func forward(x: Tensor, w: Tensor, bias: Tensor?) -> (shape: [Int], values: [Float]) {
        let (oh, ow) = outSize(x.shape[1], x.shape[2], w.shape[2], w.shape[3])
        let shape = [x.shape[0], oh, ow, w.shape[0]]
        var acc = [Double](repeating: 0, count: shape.reduce(1, *))
        let xv = x.toArray(), wv = w.toArray()
        forEachTap(x: x.shape, w: w.shape) { o, i, k, _ in acc[o] += Double(xv[i]) * Double(wv[k]) }
        if let bias {
            let bv = bias.toArray(), oc = w.shape[0]
            for j in 0..<acc.count { acc[j] += Double(bv[j % oc]) }
        }
        return (shape, acc.map { Float($0) })
    }

    /// Analytic gradients of `sum(conv(x) * gy)`.
    func backward(x: Tensor, w: Tensor, gy: [Float]) -> (dx: [Float], dw: [Float], db: [Float]) {
        var dx = [Double](repeating: 0, count: x.count), dw = [Double](repeating: 0, count: w.count)
        let xv = x.toArray(), wv = w.toArray()
        forEachTap(x: x.shape, w: w.shape) { o, i, k, _ in
            dx[i] += Double(gy[o]) * Double(wv[k])
            dw[k] += Double(gy[o]) * Double(xv[i])
        }
        let oc = w.shape[0]
        var db = [Double](repeating: 0, count: oc)
        for j in 0..<gy.count { db[j % oc] += Double(gy[j]) }
        return (dx.map { Float($0) }, dw.map { Float($0) }, db.map { Float($0) })
    }
}

func silu(_ v: Float) -> Float { v / (1 + exp(-v)) }

/// Asserts |a − b| ≤ atol + rtol·max(|a|, |b|) element-wise, reporting the worst element.
func assertGradClose(_ a: [Float], _ b: [Float], rtol: Float = 1e-2, atol: Float = 1e-3, _ message: String = "",
                     file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(a.count, b.count, "\(message): sizes differ", file: file, line: line)
    var worst = -1, worstExcess: Float = 0
    for i in 0..<min(a.count, b.count) {
        let excess = abs(a[i] - b[i]) - (atol + rtol * max(abs(a[i]), abs(b[i])))
        if excess > worstExcess || excess.isNaN { worstExcess = excess.isNaN ? .infinity : excess; worst = i }
    }
    if worst >= 0 {
        XCTFail("\(message): element \(worst) is \(a[worst]), expected \(b[worst]) (rtol \(rtol), atol \(atol))",
                file: file, line: line)
    }
}

/// Gradient check: for `loss = Σ f(inputs) ⊙ r` with fixed random `r`, compares autograd's gradient of each
/// input against central differences (Double accumulation of the loss).
func checkGradients(_ label: String, _ inputs: [Tensor], h: Float = 1e-3, rtol: Float = 1e-2, atol: Float = 1e-3,
                    seed: UInt64 = 99, file: StaticString = #filePath, line: UInt = #line,
                    _ f: ([Tensor]) -> Tensor) {
    for t in inputs { t.requiresGrad = true; t.grad = nil }
    let y = f(inputs)
    var rng = TestRNG(seed)
    let r = rng.floats(y.count, -1, 1)
    XCTAssertTrue(y.requiresGrad, "\(label): output does not require grad", file: file, line: line)
    y.backward(Tensor(shape: y.shape, values: r))
    func loss() -> Double {
        let out = withNoGrad { f(inputs) }.toArray()
        var s = 0.0
        for i in 0..<out.count { s += Double(out[i]) * Double(r[i]) }
        return s
    }
    for (k, t) in inputs.enumerated() {
        guard let g = t.grad else { XCTFail("\(label): input \(k) has no grad", file: file, line: line); continue }
        XCTAssertEqual(g.shape, t.shape, "\(label): grad shape of input \(k)", file: file, line: line)
        var numeric = [Float](repeating: 0, count: t.count)
        for i in 0..<t.count {
            let v = t.pointer[i]
            t.pointer[i] = v + h; t.markModified()
            let lp = loss()
            t.pointer[i] = v - h; t.markModified()
            let lm = loss()
            t.pointer[i] = v; t.markModified()
            numeric[i] = Float((lp - lm) / (2 * Double(h)))
        }
        assertGradClose(g.toArray(), numeric, rtol: rtol, atol: atol, "\(label): d/d input \(k)", file: file, line: line)
    }
}

/// A test case whose tests run with a convolution layout policy and Winograd setting of its choosing (both apply to
/// primitives created during the test); the process's settings come back afterwards.
class ConvSettingsTestCase: XCTestCase {
    /// The policy each test starts with.
    var testPolicy: ConvLayoutPolicy { .blocked }
    /// Whether each test starts with Winograd on.
    var testWinograd: Bool { true }
    /// The Winograd tile threshold each test starts with (1: the kernel's edge cases use small images).
    var testMinimumTiles: Int { 1 }
    private var saved: (policy: ConvLayoutPolicy, winograd: Bool, tiles: Int) = (.automatic, true, 9)
    private var savedWide = false

    override func setUp() {
        super.setUp()
        saved = (ConvLayoutPolicy.current, ConvWinograd.isEnabled, ConvWinograd.minimumTiles)
        savedWide = ConvWinograd.usesWideKernels
        ConvLayoutPolicy.current = testPolicy
        ConvWinograd.isEnabled = testWinograd
        ConvWinograd.minimumTiles = testMinimumTiles
    }

    override func tearDown() {
        ConvLayoutPolicy.current = saved.policy
        ConvWinograd.isEnabled = saved.winograd
        ConvWinograd.minimumTiles = saved.tiles
        ConvWinograd.usesWideKernels = savedWide
        super.tearDown()
    }
}
