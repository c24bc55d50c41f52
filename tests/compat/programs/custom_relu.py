"""A two-layer network on raw tensors with a custom ReLU written as a torch.autograd.Function
(ctx.save_for_backward / ctx.saved_tensors, clamp in forward, a masked write into a clone in
backward), trained by hand: updates under torch.no_grad() and grad.zero_()."""
import numpy as np
import torch


class MyReLU(torch.autograd.Function):
    @staticmethod
    def forward(ctx, input):
        ctx.save_for_backward(input)
        return input.clamp(min=0)

    @staticmethod
    def backward(ctx, grad_output):
        input, = ctx.saved_tensors
        grad_input = grad_output.clone()
        grad_input[input < 0] = 0
        return grad_input


class ClampSTE(torch.autograd.Function):
    """Clamp with a straight-through gradient inside the range."""
    @staticmethod
    def forward(ctx, input, lo, hi):
        ctx.save_for_backward(input)
        ctx.lo, ctx.hi = lo, hi
        return input.clamp(lo, hi)

    @staticmethod
    def backward(ctx, grad_output):
        input, = ctx.saved_tensors
        inside = (input >= ctx.lo) & (input <= ctx.hi)
        return grad_output * inside.float(), None, None


def main(steps=60):
    torch.manual_seed(0)
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    dtype = torch.float

    # N is batch size; D_in is input dimension; H is hidden dimension; D_out is output dimension.
    N, D_in, H, D_out = 64, 100, 50, 10
    rng = np.random.default_rng(0)
    x = torch.from_numpy(rng.standard_normal((N, D_in)).astype(np.float32)).to(device)
    y = torch.from_numpy(rng.standard_normal((N, D_out)).astype(np.float32)).to(device)
    w1 = torch.tensor(rng.standard_normal((D_in, H)) * 0.1, device=device, dtype=dtype,
                      requires_grad=True)
    w2 = torch.tensor(rng.standard_normal((H, D_out)) * 0.1, device=device, dtype=dtype,
                      requires_grad=True)

    learning_rate = 1e-3
    losses = []
    for t in range(steps):
        relu = MyReLU.apply
        y_pred = ClampSTE.apply(relu(x.mm(w1)).mm(w2), -3.0, 3.0)
        loss = (y_pred - y).pow(2).sum()
        if t % 20 == 19:
            print(t, f"{loss.item():.4f}")
        losses.append(loss.item())
        loss.backward()

        with torch.no_grad():
            w1 -= learning_rate * w1.grad
            w2 -= learning_rate * w2.grad
            w1.grad.zero_()
            w2.grad.zero_()
    return losses


if __name__ == "__main__":
    main()
