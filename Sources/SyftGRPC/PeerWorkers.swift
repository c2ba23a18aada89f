import SyftRemote
import Synchronization

// Note [Pointers across network workers]
// A pointer sent on to another worker (`x.send(to: bob).send(to: alice)`) makes alice hold a pointer to
// bob's object. Across processes alice must reach bob itself, so the pointer carries bob's address
// (PointerData.address) and the credentials the client uses there: bob's token and the client's identity.
// Alice connects to bob with them and acts on bob *as that client*: bob's ownership rules then hold as if
// the client had sent the commands (alice sees exactly the client's objects on bob, and nothing else).
// Sending a pointer to a worker therefore delegates the client's access to the pointed-to worker to it:
// send pointers only to workers you trust with that, and use TLS so the credentials are not readable on
// the way (alice trusts the CA given by `syft worker --peer-ca`, else the system's roots).
// Alice's connection is one more connection of the client's identity on bob, so the client's objects
// there stay while alice holds pointers to them, even after the client disconnects from bob. Alice keeps
// one connection per (address, identity) while pointers use it; after a batch from its client that
// waits, alice first waits for what it forwarded (deletes of dropped chains, commands), so the client's
// next call to bob sees their effect, as in process.

/// The network workers a worker process connects to for pointers to pointers (Note [Pointers across
/// network workers]).
final class PeerWorkers: Sendable {
    struct Entry {
        weak var worker: NetworkWorker?
    }
    let selfID: String
    let tls: ClientTLS?
    private let peers = Mutex<[WorkerAddress: Entry]>([:])

    init(selfID: String, tls: ClientTLS?) {
        self.selfID = selfID
        self.tls = tls
    }

    /// The worker a received pointer points to, connecting to it on first use.
    func resolve(_ pointer: PointerPayload) throws(SyftError) -> any Worker {
        guard let address = pointer.address else {
            throw .unknownWorker(id: pointer.location)
        }
        if let known = peers.withLock({ $0[address]?.worker }), known.id == pointer.location { return known }
        let worker = try NetworkWorker(
            id: pointer.location, host: address.host, port: address.port, token: address.token,
            tls: address.usesTLS ? (tls ?? .systemRoots) : nil, clientID: address.clientID,
            keepObjects: false,
            callTimeout: .seconds(120))
        peers.withLock { $0[address] = Entry(worker: worker) }
        return worker
    }

    /// Whether this worker holds no connection to another worker (nothing can wait on a peer).
    var isEmpty: Bool { peers.withLock { $0.values.allSatisfy { $0.worker == nil } } }

    /// Sends what was queued for the peers; when `waiting`, also waits until they ran everything sent so
    /// far. A failure there is kept for the next call that waits on that peer.
    func settle(waiting: Bool) {
        let live = peers.withLock { peers in
            peers = peers.filter { $0.value.worker != nil }
            return peers.values.compactMap(\.worker)
        }
        for peer in live {
            if waiting && (peer.channel.hasQueuedRequests || peer.connection.hasUnsettledBatches) {
                do throws(SyftError) {
                    try peer.channel.synchronize()
                } catch {
                    peer.channel.recordFailure(error)
                }
            } else {
                peer.channel.flush()
            }
        }
    }
}
