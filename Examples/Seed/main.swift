// The seed (PySyft's "Part 1: The Basic Tools of Private Deep Learning") in Swift.
import Syft

let x = Tensor([1, 2, 3, 4, 5])
print(x)  // tensor([1, 2, 3, 4, 5])
print(x + x)  // tensor([ 2,  4,  6,  8, 10])

let bob = VirtualWorker(id: "bob")
let xPtr = try x.send(to: bob)
let yPtr = try Tensor([1, 1, 1, 1, 1]).send(to: bob)
print(xPtr)  // [PointerTensor | me:<id> -> bob:<idAtLocation>]
print(bob.objects)  // the two tensors under their ids

let z = xPtr + yPtr  // runs on bob
print(try z.get())  // tensor([2, 3, 4, 5, 6])

let a = try Tensor([1, 2, 3, 4, 5.0], requiresGrad: true).send(to: bob)
let b = try Tensor([1, 1, 1, 1, 1.0], requiresGrad: true).send(to: bob)
try (a + b).sum().backward()  // runs on bob
let back = try a.get()
print(back)  // tensor([1., 2., 3., 4., 5.], requires_grad=True)
print(back.grad!)  // tensor([1., 1., 1., 1., 1.])
