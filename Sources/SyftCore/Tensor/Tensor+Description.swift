// Printing: exactly as PyTorch prints (TensorFormatter.swift), and pointers as PySyft prints them.

extension Tensor: CustomStringConvertible, CustomDebugStringConvertible {
    /// The tensor as PyTorch prints it: `tensor([1, 2, 3])`, `tensor([1., 2.], requires_grad=True)`;
    /// a remote tensor prints as its pointer, `[PointerTensor | me:<id> -> bob:<idAtLocation>]`.
    public var description: String {
        if case .remote(let h) = storage { return h.description }
        var suffixes: [String] = []
        if let meta = autograd {
            if let fn = meta.gradFn {
                suffixes.append("grad_fn=<\(fn.op.backwardName)>")
            } else {
                suffixes.append("requires_grad=True")
            }
        }
        return formatTensor(shape: shape, dtype: dtype, suffixes: suffixes) { element(atFlatIndex: $0) }
    }

    public var debugDescription: String { description }
}

extension Op {
    /// The name PyTorch gives the backward node of this operation (printed as `grad_fn=<...>`).
    var backwardName: String {
        switch self {
        case .neg: return "NegBackward0"
        case .abs: return "AbsBackward0"
        case .exp: return "ExpBackward0"
        case .log: return "LogBackward0"
        case .sqrt: return "SqrtBackward0"
        case .sin: return "SinBackward0"
        case .cos: return "CosBackward0"
        case .tanh: return "TanhBackward0"
        case .sigmoid: return "SigmoidBackward0"
        case .relu: return "ReluBackward0"
        case .clamp: return "ClampBackward1"
        case .cast: return "ToCopyBackward0"
        case .add: return "AddBackward0"
        case .sub: return "SubBackward0"
        case .mul: return "MulBackward0"
        case .div: return "DivBackward0"
        case .pow: return "PowBackward1"
        case .maximum: return "MaximumBackward0"
        case .minimum: return "MinimumBackward0"
        case .eq, .ne, .lt, .le, .gt, .ge: return name.prefix(1).uppercased() + name.dropFirst() + "Backward0"
        case .where: return "WhereBackward0"
        case .sum: return "SumBackward1"
        case .prod: return "ProdBackward1"
        case .max: return "AmaxBackward0"
        case .min: return "AminBackward0"
        case .argmax, .argmin: return name.prefix(1).uppercased() + name.dropFirst() + "Backward0"
        case .reshape: return "ViewBackward0"
        case .permute: return "PermuteBackward0"
        case .expand: return "ExpandBackward0"
        case .slice: return "SliceBackward0"
        case .sliceScatter: return "SliceScatterBackward0"
        case .cat: return "CatBackward0"
        case .matmul: return "MmBackward0"
        case .linear: return "AddmmBackward0"
        case .softmax: return "SoftmaxBackward0"
        case .logSoftmax: return "LogSoftmaxBackward0"
        case .bernoulli: return "BernoulliBackward0"
        case .gather: return "GatherBackward0"
        case .nllLoss: return "NllLossBackward0"
        case .linalgInv: return "LinalgInvExBackward0"
        case .linalgSolve: return "LinalgSolveExBackward0"
        case .linalgDet: return "LinalgDetBackward0"
        case .linalgSlogdet: return "LinalgSlogdetBackward0"
        case .linalgCholesky: return "LinalgCholeskyExBackward0"
        case .linalgQr: return "LinalgQrBackward0"
        case .linalgSvd: return "LinalgSvdBackward0"
        case .linalgEigh: return "LinalgEighBackward0"
        case .linalgLstsq: return "LinalgLstsqBackward0"
        case .conv2d: return "ConvolutionBackward0"
        case .maxPool2d: return "MaxPool2DWithIndicesBackward0"
        case .avgPool2d: return "AvgPool2DBackward0"
        case .unfold: return "Im2ColBackward0"
        }
    }
}
