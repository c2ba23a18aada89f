import SyftCore

// Note [Finding parameters]
// A module's parameters are its stored properties declared with `@Parameter`, and those of its child
// modules (stored properties that are modules, or arrays of them), found by reflection (`Mirror`), in
// declaration order, so no model lists its parameters by hand. Names follow PyTorch's `state_dict`:
// `fc1.weight`, `layers.0.bias` (the property name without the wrapper's leading underscore).

/// A tensor that a module learns: it requires grad, and optimizers update it in place.
///
/// Declare parameters as properties of a ``Module`` subclass; they are found without a hand-written list:
/// ```swift
/// final class Affine: Module, Layer {
///     @Parameter var scale = Tensor([1.0, 1.0])
///     func callAsFunction(_ x: Tensor) -> Tensor { x * scale }
/// }
/// ```
@propertyWrapper
public final class Parameter: @unchecked Sendable {
    /// The current value (a leaf that requires grad; a pointer after the module is sent to a worker).
    public var value: Tensor

    /// Wraps `value`, which is made to require grad (floating-point tensors).
    public init(wrappedValue value: Tensor) {
        var v = value
        if v.isLocal && v.dtype.isFloatingPoint && !v.requiresGrad { v.requiresGrad = true }
        self.value = v
    }

    public var wrappedValue: Tensor {
        get { value }
        set { value = newValue }
    }

    /// The parameter object itself (`$weight`), for optimizers and checkpoints.
    public var projectedValue: Parameter { self }

    /// The gradient accumulated by backward, or nil.
    public var grad: Tensor? { value.grad }
}

/// The base class of neural-network modules: parameters found by reflection, child modules, train and
/// eval modes (PyTorch's `nn.Module`).
///
/// A model is a subclass that also conforms to ``Layer`` (its forward pass):
/// ```swift
/// final class MLP: Module, Layer {
///     let fc1 = Linear(64, 64)
///     let fc2 = Linear(64, 10)
///     func callAsFunction(_ x: Tensor) -> Tensor { fc2(relu(fc1(x))) }
/// }
/// let model = MLP()
/// model.parameters().count   // 4
/// ```
open class Module {
    /// Whether the module is in training mode (dropout active); see ``train(_:)`` and ``eval()``.
    public private(set) var isTraining = true

    public init() {}

    /// The layer's settings inside its printed form (`in_features=64, out_features=10, bias=True`).
    open var extraDescription: String { "" }

    /// The module's parameters and those of its children, in declaration order.
    public final func parameters() -> [Parameter] { namedParameters().map(\.1) }

    /// The parameters with their PyTorch `state_dict` names (`fc1.weight`).
    public final func namedParameters() -> [(String, Parameter)] {
        var out: [(String, Parameter)] = []
        var seen = Set<ObjectIdentifier>()
        collect(prefix: "", into: &out, seen: &seen)
        return out
    }

    /// The direct child modules with their names.
    public final func namedChildren() -> [(String, Module)] {
        var out: [(String, Module)] = []
        for (name, value) in members() {
            if let m = value as? Module {
                out.append((name, m))
            } else if let array = value as? [Any] {
                for (i, v) in array.enumerated() {
                    if let m = v as? Module { out.append(("\(name).\(i)", m)) }
                }
            }
        }
        return out
    }

    /// Sets training mode on this module and all its children.
    public final func train(_ on: Bool = true) {
        isTraining = on
        for (_, child) in namedChildren() { child.train(on) }
    }

    /// Sets evaluation mode (dropout off) on this module and all its children.
    public final func eval() { train(false) }

    /// Clears the gradients of all parameters.
    public final func zeroGrad() {
        for p in parameters() { p.value.zeroGrad() }
    }

    private func collect(
        prefix: String, into out: inout [(String, Parameter)], seen: inout Set<ObjectIdentifier>
    ) {
        func visit(_ name: String, _ value: Any) {
            if let p = value as? Parameter {
                if seen.insert(ObjectIdentifier(p)).inserted { out.append((name, p)) }
            } else if let m = value as? Module {
                m.collect(prefix: name + ".", into: &out, seen: &seen)
            } else if let array = value as? [Any] {
                for (i, v) in array.enumerated() { visit("\(name).\(i)", v) }
            }
        }
        for (name, value) in members() { visit(prefix + name, value) }
    }

    /// The named members that hold parameters and child modules. By default the stored properties of
    /// the instance and its superclasses (found by reflection, optionals unwrapped); a container such as
    /// ``Sequential`` overrides it to name its children by position (`0`, `1`, ...), as PyTorch does.
    open func members() -> [(String, Any)] {
        var mirrors: [Mirror] = []
        var m: Mirror? = Mirror(reflecting: self)
        while let current = m, current.subjectType != Module.self {
            mirrors.append(current)
            m = current.superclassMirror
        }
        var out: [(String, Any)] = []
        for mirror in mirrors.reversed() {
            for child in mirror.children {
                guard let label = child.label else { continue }
                let name = label.hasPrefix("_") ? String(label.dropFirst()) : label
                if let unwrapped = unwrapOptional(child.value) { out.append((name, unwrapped)) }
            }
        }
        return out
    }
}

private func unwrapOptional(_ value: Any) -> Any? {
    let m = Mirror(reflecting: value)
    guard m.displayStyle == .optional else { return value }
    return m.children.first?.value
}

/// A module's forward pass: `model(x)`.
public protocol Layer: Module {
    /// Applies the layer to `input`.
    func callAsFunction(_ input: Tensor) -> Tensor
}

extension Module: CustomStringConvertible {
    /// The module's structure, as PyTorch prints it: `Linear(in_features=64, out_features=10, bias=True)`.
    public var description: String {
        let children = namedChildren()
        let name = String(describing: type(of: self))
        if children.isEmpty { return "\(name)(\(extraDescription))" }
        var lines = ["\(name)("]
        for (n, c) in children {
            let inner = c.description.split(separator: "\n", omittingEmptySubsequences: false).joined(
                separator: "\n  ")
            lines.append("  (\(n)): \(inner)")
        }
        lines.append(")")
        return lines.joined(separator: "\n")
    }
}
