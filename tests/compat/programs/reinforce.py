"""REINFORCE in the style of pytorch/examples reinforcement_learning/reinforce.py, on a small
corridor environment written with NumPy (no gym): a policy network with dropout and softmax,
torch.distributions.Categorical for sampling and log_prob, discounted returns normalised with
mean/std and eps = np.finfo(np.float32).eps.item(), the policy loss summed with torch.cat.
main() returns the episode lengths (steps to reach the goal), which fall as the agent learns."""
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.optim as optim
from torch.distributions import Categorical

gamma = 0.99
eps = np.finfo(np.float32).eps.item()


class Corridor:
    """Cells 0..n-1; start in cell 0; action 1 moves right, 0 left; the goal is cell n-1."""

    def __init__(self, n=6, max_steps=40, seed=0):
        self.n, self.max_steps = n, max_steps
        self.rng = np.random.default_rng(seed)

    def reset(self):
        self.pos, self.t = 0, 0
        return self._obs()

    def _obs(self):
        obs = np.zeros(self.n, dtype=np.float32)
        obs[self.pos] = 1.0
        return obs

    def step(self, action):
        if self.rng.random() < 0.1:          # a slippery floor
            action = 1 - action
        self.pos = min(max(self.pos + (1 if action == 1 else -1), 0), self.n - 1)
        self.t += 1
        done = self.pos == self.n - 1 or self.t >= self.max_steps
        reward = 1.0 if self.pos == self.n - 1 else -0.01
        return self._obs(), reward, done, {}


class Policy(nn.Module):
    def __init__(self, n_obs, n_actions):
        super(Policy, self).__init__()
        self.affine1 = nn.Linear(n_obs, 64)
        self.dropout = nn.Dropout(p=0.2)
        self.affine2 = nn.Linear(64, n_actions)

        self.saved_log_probs = []
        self.rewards = []

    def forward(self, x):
        x = self.affine1(x)
        x = self.dropout(x)
        x = F.relu(x)
        action_scores = self.affine2(x)
        return F.softmax(action_scores, dim=1)


def select_action(policy, state):
    state = torch.from_numpy(state).float().unsqueeze(0)
    probs = policy(state)
    m = Categorical(probs)
    action = m.sample()
    policy.saved_log_probs.append(m.log_prob(action))
    return action.item()


def finish_episode(policy, optimizer):
    R = 0
    policy_loss = []
    returns = []
    for r in policy.rewards[::-1]:
        R = r + gamma * R
        returns.insert(0, R)
    returns = torch.tensor(returns)
    returns = (returns - returns.mean()) / (returns.std() + eps)
    for log_prob, R in zip(policy.saved_log_probs, returns):
        policy_loss.append(-log_prob * R)
    optimizer.zero_grad()
    policy_loss = torch.cat(policy_loss).sum()
    policy_loss.backward()
    optimizer.step()
    del policy.rewards[:]
    del policy.saved_log_probs[:]


def main(episodes=40):
    torch.manual_seed(543)
    env = Corridor(seed=543)
    policy = Policy(env.n, 2)
    optimizer = optim.Adam(policy.parameters(), lr=1e-2)

    lengths = []
    running_reward = 0
    for i_episode in range(1, episodes + 1):
        state, ep_reward = env.reset(), 0
        for t in range(1, 10000):  # Don't infinite loop while learning
            action = select_action(policy, state)
            state, reward, done, _ = env.step(action)
            policy.rewards.append(reward)
            ep_reward += reward
            if done:
                break
        lengths.append(t)
        running_reward = 0.05 * ep_reward + (1 - 0.05) * running_reward
        finish_episode(policy, optimizer)
        if i_episode % 10 == 0:
            print("Episode {}\tLast length: {:3d}\tAverage reward: {:.2f}".format(
                i_episode, t, running_reward))
    return lengths


if __name__ == "__main__":
    main()
