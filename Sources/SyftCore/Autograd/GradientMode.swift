/// Scoped switches of autograd recording.
///
/// Recording is on by default. Inside ``withoutGradient(_:)`` (PyTorch's `torch.no_grad()`) operations
/// record nothing. The mode is task-local: it holds for the closure and what it calls on the same task,
/// never for other threads or tasks.
public enum GradientMode {
    @TaskLocal public static var isEnabled: Bool = true
}

/// Runs `body` without recording operations for autograd, as PyTorch's `with torch.no_grad():`.
///
/// ```swift
/// withoutGradient {
///     weight -= 0.1 * weight.grad!
/// }
/// ```
public func withoutGradient<R>(_ body: () throws -> R) rethrows -> R {
    // Reading the mode costs less than binding it again (in a task, a binding takes the task's lock).
    if !GradientMode.isEnabled { return try body() }
    return try GradientMode.$isEnabled.withValue(false, operation: body)
}

/// Runs `body` with autograd recording on (inside a ``withoutGradient(_:)`` scope, for instance).
public func withGradient<R>(_ body: () throws -> R) rethrows -> R {
    try GradientMode.$isEnabled.withValue(true, operation: body)
}
