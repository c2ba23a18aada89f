// Federated averaging on the digits: bob and alice each hold half the training data; each trains a copy
// of the model on its own half, the copies are averaged on a third worker, and only the average comes
// back. Run from the package root (it reads Data/digits.csv).
import Syft

let data = try TabularData(csv: "Data/digits.csv", target: "label")
let (train, test) = data.split(testFraction: 0.2, seed: 0)
let scaler = Standardizer(fitting: train.features)
let features = scaler.transform(train.features)
let labels = train.classLabels()
let half = train.count / 2

let bob = VirtualWorker(id: "bob")
let alice = VirtualWorker(id: "alice")
let secureWorker = VirtualWorker(id: "secure_worker")
let datasets = [
    FederatedDataset(
        features: try features[..<half].send(to: bob), targets: try labels[..<half].send(to: bob)),
    FederatedDataset(
        features: try features[half...].send(to: alice), targets: try labels[half...].send(to: alice)),
]

func makeModel() -> Sequential { Sequential(Linear(64, 64), ReLU(), Linear(64, 10)) }
let model = makeModel()
let losses = try federatedAveraging(
    model, on: datasets, aggregator: secureWorker, task: .classify, rounds: 10, localEpochs: 2, batchSize: 32,
    makeModel: makeModel, makeOptimizer: { SGD($0, lr: 0.1) })
let result = evaluate(
    model, features: scaler.transform(test.features), targets: test.classLabels(), task: .classify)
print("local loss by round:", losses.map { ($0 * 1000).rounded() / 1000 })
print("test accuracy:", result.accuracy!)
