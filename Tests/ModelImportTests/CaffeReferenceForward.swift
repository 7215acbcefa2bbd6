/// A direct float64 evaluation of ``CaffeTinyNet`` in Caffe's NCHW layout, written from Caffe's layer definitions
/// (convolution with groups and dilation, MAX pooling with ceil rounding, BatchNorm with its scale-factor blob, Scale,
/// Normalize), independent of the importer and the engine; the importer's graph must reproduce its head outputs.
struct CaffeReferenceForward {
    /// A [C, H, W] feature map.
    struct Map {
        var channels: Int
        var height: Int
        var width: Int
        var values: [Double]

        subscript(c: Int, y: Int, x: Int) -> Double { values[(c * height + y) * width + x] }
    }

    let blobs: [String: [[Float]]]

    func convolution(
        _ input: Map, _ layer: String, out: Int, kernel: Int, stride: Int = 1, pad: Int = 0, dilation: Int = 1,
        groups: Int = 1
    ) -> Map {
        let w = blobs[layer]![0]
        let bias = blobs[layer]!.count > 1 && blobs[layer]![1].count == out ? blobs[layer]![1] : nil
        let span = dilation * (kernel - 1) + 1
        let oh = (input.height + 2 * pad - span) / stride + 1
        let ow = (input.width + 2 * pad - span) / stride + 1
        let inPerGroup = input.channels / groups
        let outPerGroup = out / groups
        var result = [Double](repeating: 0, count: out * oh * ow)
        for o in 0..<out {
            let g = o / outPerGroup
            for y in 0..<oh {
                for x in 0..<ow {
                    var sum = Double(bias?[o] ?? 0)
                    for i in 0..<inPerGroup {
                        for ky in 0..<kernel {
                            for kx in 0..<kernel {
                                let iy = y * stride - pad + ky * dilation
                                let ix = x * stride - pad + kx * dilation
                                guard iy >= 0, iy < input.height, ix >= 0, ix < input.width else { continue }
                                let weight = Double(w[((o * inPerGroup + i) * kernel + ky) * kernel + kx])
                                sum += weight * input[g * inPerGroup + i, iy, ix]
                            }
                        }
                    }
                    result[(o * oh + y) * ow + x] = sum
                }
            }
        }
        return Map(channels: out, height: oh, width: ow, values: result)
    }

    func relu(_ m: Map) -> Map {
        var m = m
        m.values = m.values.map { max($0, 0) }
        return m
    }

    /// Caffe's MAX pooling: ceil-rounded output size, windows clipped to the input.
    func maxPool(_ m: Map, kernel: Int, stride: Int) -> Map {
        let oh = Int((Double(m.height - kernel) / Double(stride)).rounded(.up)) + 1
        let ow = Int((Double(m.width - kernel) / Double(stride)).rounded(.up)) + 1
        var result: [Double] = []
        for c in 0..<m.channels {
            for y in 0..<oh {
                for x in 0..<ow {
                    var best = -Double.infinity
                    for iy in (y * stride)..<min(y * stride + kernel, m.height) {
                        for ix in (x * stride)..<min(x * stride + kernel, m.width) { best = max(best, m[c, iy, ix]) }
                    }
                    result.append(best)
                }
            }
        }
        return Map(channels: m.channels, height: oh, width: ow, values: result)
    }

    /// BatchNorm (statistics divided by blob 2) then Scale with bias.
    func batchNormScale(_ m: Map, eps: Double) -> Map {
        let bn = blobs["bn2"]!
        let scale = blobs["scale2"]!
        let factor = 1 / Double(bn[2][0])
        var m = m
        let area = m.height * m.width
        for c in 0..<m.channels {
            let mean = Double(bn[0][c]) * factor
            let variance = Double(bn[1][c]) * factor
            for i in 0..<area {
                let normalized = (m.values[c * area + i] - mean) / (variance + eps).squareRoot()
                m.values[c * area + i] = normalized * Double(scale[0][c]) + Double(scale[1][c])
            }
        }
        return m
    }

    /// Normalize across channels per pixel: x / sqrt(Σx² + eps) · scale[c].
    func normalize(_ m: Map, layer: String, eps: Double) -> Map {
        let scale = blobs[layer]![0]
        var m = m
        let area = m.height * m.width
        for i in 0..<area {
            let norm = ((0..<m.channels).reduce(0) { $0 + m.values[$1 * area + i] * m.values[$1 * area + i] } + eps).squareRoot()
            for c in 0..<m.channels { m.values[c * area + i] = m.values[c * area + i] / norm * Double(scale[c]) }
        }
        return m
    }

    /// A map permuted to HWC and flattened (Caffe's Permute 0,2,3,1 + Flatten).
    static func permuted(_ m: Map) -> [Double] {
        var result: [Double] = []
        for y in 0..<m.height {
            for x in 0..<m.width {
                for c in 0..<m.channels { result.append(m[c, y, x]) }
            }
        }
        return result
    }

    /// The four head outputs (loc 0, conf 0, loc 1, conf 1), permuted and flattened, for a CHW `input`.
    func heads(_ input: Map) -> [[Double]] {
        let conv1 = relu(convolution(input, "conv1", out: 8, kernel: 3, pad: 1))
        let pool1 = maxPool(conv1, kernel: 3, stride: 2)
        let conv2 = relu(batchNormScale(convolution(pool1, "conv2", out: 8, kernel: 3, pad: 1, groups: 8), eps: 1e-5))
        let conv3 = relu(convolution(conv2, "conv3", out: 16, kernel: 1))
        let norm = normalize(conv3, layer: "conv3_norm", eps: 1e-10)
        let conv4 = relu(convolution(conv3, "conv4", out: 16, kernel: 3, stride: 2, pad: 2, dilation: 2))
        return [
            Self.permuted(convolution(norm, "conv3_norm_mbox_loc", out: 16, kernel: 3, pad: 1)),
            Self.permuted(convolution(norm, "conv3_norm_mbox_conf", out: 12, kernel: 3, pad: 1)),
            Self.permuted(convolution(conv4, "conv4_mbox_loc", out: 20, kernel: 3, pad: 1)),
            Self.permuted(convolution(conv4, "conv4_mbox_conf", out: 15, kernel: 3, pad: 1)),
        ]
    }
}
