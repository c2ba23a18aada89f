import Synchronization

/// A lock for async code that holds it across suspension points: one holder at a time, waiters served in
/// the order they came. Taking a free gate does not suspend (one mutex operation), so the common case,
/// a stream's reader writing its own replies, costs no task switch.
///
/// ```swift
/// let gate = WriteGate()
/// await gate.withGate { try? await writer.write(frame) }
/// ```
final class WriteGate: Sendable {
    private struct State {
        var held = false
        var waiters: [CheckedContinuation<Void, Never>] = []
    }
    private let state = Mutex(State())

    /// Runs `body` holding the gate.
    func withGate<R>(_ body: () async throws -> R) async rethrows -> R {
        await acquire()
        defer { release() }
        return try await body()
    }

    private func acquire() async {
        let free = state.withLock { s -> Bool in
            guard s.held else {
                s.held = true
                return true
            }
            return false
        }
        if free { return }
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
            let nowFree = state.withLock { s -> Bool in
                guard s.held else {
                    s.held = true
                    return true
                }
                s.waiters.append(c)
                return false
            }
            if nowFree { c.resume() }
        }
    }

    /// Hands the gate to the first waiter, or frees it.
    private func release() {
        let next = state.withLock { s -> CheckedContinuation<Void, Never>? in
            guard !s.waiters.isEmpty else {
                s.held = false
                return nil
            }
            return s.waiters.removeFirst()
        }
        next?.resume()
    }
}
