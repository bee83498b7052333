extension OpenVINOModel {
    /// The IR document as OpenVINO's serializer lays it out: XML declaration, `<net name version="11">`, `<layers>`,
    /// `<edges>`, `<rt_info>` with `<model_info>`; tab indentation.
    var xml: String {
        var out = "<?xml version=\"1.0\"?>\n"
        out += "<net name=\"\(Self.escape(name))\" version=\"11\">\n"
        out += "\t<layers>\n"
        for layer in layers { Self.write(layer, into: &out) }
        out += "\t</layers>\n"
        out += "\t<edges>\n"
        for e in edges {
            out += "\t\t<edge from-layer=\"\(e.fromLayer)\" from-port=\"\(e.fromPort)\" to-layer=\"\(e.toLayer)\" to-port=\"\(e.toPort)\" />\n"
        }
        out += "\t</edges>\n"
        out += "\t<rt_info>\n"
        if !modelInfo.isEmpty {
            out += "\t\t<model_info>\n"
            for (k, v) in modelInfo.sorted(by: { $0.key < $1.key }) {
                out += "\t\t\t<\(k) value=\"\(Self.escape(v))\" />\n"
            }
            out += "\t\t</model_info>\n"
        }
        out += "\t</rt_info>\n"
        out += "</net>\n"
        return out
    }

    private static func write(_ layer: OpenVINOLayer, into out: inout String) {
        out += "\t\t<layer id=\"\(layer.id)\" name=\"\(escape(layer.name))\" type=\"\(layer.type)\" version=\"\(layer.version)\">\n"
        if !layer.data.isEmpty {
            out += "\t\t\t<data"
            for (k, v) in layer.data { out += " \(k)=\"\(escape(v))\"" }
            out += " />\n"
        }
        if !layer.runtimeAttributes.isEmpty {
            out += "\t\t\t<rt_info>\n"
            for a in layer.runtimeAttributes { out += "\t\t\t\t<attribute name=\"\(escape(a))\" version=\"0\" />\n" }
            out += "\t\t\t</rt_info>\n"
        }
        if !layer.inputs.isEmpty {
            out += "\t\t\t<input>\n"
            for p in layer.inputs { write(p, into: &out) }
            out += "\t\t\t</input>\n"
        }
        if !layer.outputs.isEmpty {
            out += "\t\t\t<output>\n"
            for p in layer.outputs { write(p, into: &out) }
            out += "\t\t\t</output>\n"
        }
        out += "\t\t</layer>\n"
    }

    private static func write(_ port: OpenVINOPort, into out: inout String) {
        var head = "\t\t\t\t<port id=\"\(port.id)\" precision=\"\(port.dtype.openVINOPrecision)\""
        if !port.names.isEmpty { head += " names=\"\(escape(port.names.joined(separator: ",")))\"" }
        guard let dims = port.dims, !dims.isEmpty else {
            out += head + " />\n"
            return
        }
        out += head + ">\n"
        for d in dims { out += "\t\t\t\t\t<dim>\(d)</dim>\n" }
        out += "\t\t\t\t</port>\n"
    }

    /// XML attribute/text escaping.
    static func escape(_ s: String) -> String {
        guard s.contains(where: { "&<>\"'".contains($0) }) else { return s }
        var out = ""
        for ch in s {
            switch ch {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            default: out.append(ch)
            }
        }
        return out
    }
}
