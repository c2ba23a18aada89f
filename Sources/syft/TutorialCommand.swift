import ArgumentParser
import Syft

/// `syft tutorial`: the seed's walk-through on virtual workers, with real results.
struct TutorialCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tutorial",
        abstract:
            "Walk through PySyft's Part 1 (pointers, remote computation, remote autograd) on virtual workers."
    )

    @Flag(help: "Send every message through the wire codec, as over the network.")
    var wire = false

    func run() throws {
        print("Syft for Swift \(syftVersion): the basic tools of private deep learning\n")
        print(Tutorial.text(try Tutorial.run(useWireCodec: wire)))
        print("\nSyft.me is \(Syft.me)")
    }
}
