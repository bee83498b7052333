import Foundation

extension TorchScriptEmitter {
    /// What embedded NMS keeps.
    struct NMSOptions {
        /// Candidates need a best class score strictly above this.
        var conf: Double
        /// IoU threshold of `torchvision.ops.nms`.
        var iou: Double
        /// Rows of the output per image.
        var maxDet: Int
        /// One NMS over all classes instead of per class.
        var agnostic: Bool
    }

    /// `NMSModel`: runs `model` (whose head emits x1, y1, x2, y2 boxes) and reduces each image's anchors to
    /// `[maxDet, 4 + 2 + extra]` rows `x1, y1, x2, y2, score, class, extra…` sorted by score, zero-padded — the output
    /// of Ultralytics' `nms=True` export. Boxes are compared in a space normalised by the longer input side and
    /// scaled by 1/nc, each class shifted by its index so classes never overlap (unless `agnostic`). Every image of
    /// the batch is processed (the code is a real loop). Needs torchvision's `nms` operator at load time.
    func nms(wrapping model: TorchScriptObject, classes nc: Int, channels: Int, options: NMSOptions) -> TorchScriptObject {
        let extra = channels - 4 - nc
        let columns = 4 + 2 + extra
        let scale = TorchScriptLiteral.float(1.0 / Double(max(nc, 1)))
        let like = "dtype=ops.prim.dtype(pred), layout=None, device=ops.prim.device(pred), pin_memory=False"
        var f = TorchScriptMethod(arguments: ["x: Tensor"])
        f.line("model = self.model")
        f.line("pred = torch.transpose((model).forward(x, ), -1, -2)")
        f.line("bs = torch.size(pred, 0)")
        f.line("side = float(max(torch.size(x, 2), torch.size(x, 3)))")
        f.line("out = torch.zeros([bs, \(options.maxDet), \(columns)], \(like))")
        f.line("for i in range(bs):")
        f.line("p = torch.select(pred, 0, i)", indent: 1)
        f.line("scores, cls = torch.max(torch.slice(p, 1, 4, \(4 + nc)), 1)", indent: 1)
        f.line("mask = annotate(List[Optional[Tensor]], [torch.gt(scores, \(TorchScriptLiteral.float(options.conf)))])", indent: 1)
        f.line("box = torch.index(torch.slice(p, 1, 0, 4), mask)", indent: 1)
        f.line("score = torch.index(scores, mask)", indent: 1)
        f.line("label = torch.index(cls, mask)", indent: 1)
        f.line("rest = torch.index(torch.slice(p, 1, \(4 + nc), \(channels)), mask)", indent: 1)
        f.line("nmsbox = torch.mul(torch.div(box, side), \(scale))", indent: 1)
        if !options.agnostic {
            f.line("offset = torch.expand(torch.view(label, [torch.size(label, 0), 1]), [torch.size(label, 0), 4])", indent: 1)
            f.line("nmsbox = torch.add(nmsbox, torch.mul(offset, \(scale)))", indent: 1)
        }
        f.line("keep = annotate(List[Optional[Tensor]], [torch.slice(ops.torchvision.nms(nmsbox, score, \(TorchScriptLiteral.float(options.iou))), 0, 0, \(options.maxDet))])", indent: 1)
        f.line("labels = torch.to(torch.view(torch.index(label, keep), [-1, 1]), ops.prim.dtype(pred))", indent: 1)
        f.line("dets = torch.cat([torch.index(box, keep), torch.view(torch.index(score, keep), [-1, 1]), labels, torch.index(rest, keep)], -1)", indent: 1)
        f.line("rows = torch.slice(torch.select(out, 0, i), 0, 0, torch.size(dets, 0))", indent: 1)
        f.line("_0 = torch.copy_(rows, dets)", indent: 1)
        f.line("return out")
        return object(module: "ultralytics.engine.exporter", name: "NMSModel", submodules: [("model", model)], methods: [f])
    }
}
