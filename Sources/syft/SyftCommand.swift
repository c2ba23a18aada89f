import ArgumentParser
import Syft

/// The `syft` command line.
@main
struct SyftCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "syft",
        abstract: "Private, decentralized deep learning: tensors, autograd and remote workers.",
        version: syftVersion,
        subcommands: [
            TutorialCommand.self, WorkerCommand.self, TrainCommand.self, GradCommand.self, EvalCommand.self,
            BenchCommand.self,
        ]
    )
}
