"""Slow, obviously-correct reference simulator for small networks.

Written from the step semantics in ``hrsnn._kernels.lif`` (Brian2's schedule)
with a different formulation on purpose: dense ``N x N`` matrices instead of
CSR, a refractory countdown instead of last-spike steps, and STDP traces that
decay *every step* for every synapse instead of lazily on events. Rasters must
agree exactly; weights agree to rounding (eager and lazy decay round
differently).
"""

import math

import numpy as np


def simulate(net, dt, n_steps, current=None, steps_per_input=1, input_counts=None,
             learn=False):
    """Simulate ``net`` for ``n_steps`` from its initial state.

    Parameters
    ----------
    net : hrsnn.Network
    dt : float
    n_steps : int
    current : ndarray of shape (n_steps // steps_per_input, n_inputs), optional
    steps_per_input : int
    input_counts : ndarray of shape (n_steps, n_inputs), optional
        Input spikes per step and channel.
    learn : bool

    Returns
    -------
    raster : list of (step, neuron)
    weights : ndarray of shape (n_synapses,)
        Final weights in the network's synapse order.
    v : ndarray of shape (n_neurons,)
        Final potentials.
    """
    n = net.n_neurons
    exists = np.zeros((n, n), dtype=bool)
    w = np.zeros((n, n))
    plastic = np.zeros((n, n), dtype=bool)
    params = {name: np.ones((n, n)) for name in ("tau_plus", "tau_minus", "eta_plus", "eta_minus")}
    for k in range(net.n_synapses):
        j, i = net.pre[k], net.post[k]
        exists[j, i] = True
        w[j, i] = net.weight[k]
        plastic[j, i] = net.plastic[k]
        for name in params:
            params[name][j, i] = getattr(net, name)[k]
    w_in = np.zeros((net.n_inputs, n))
    for c, i, weight in zip(net.in_channel, net.in_post, net.in_weight):
        w_in[c, i] = weight
    x_trace = np.zeros((n, n))
    y_trace = np.zeros((n, n))
    v = net.v_init.copy()
    ref_steps = int(round(net.t_ref / dt))
    refractory_until = np.full(n, -1)
    soft = net.stdp_rule == "soft"
    raster = []
    drive = np.zeros(n)

    for s in range(n_steps):
        for j in range(n):
            for i in range(n):
                if plastic[j, i]:
                    x_trace[j, i] *= math.exp(-dt / params["tau_plus"][j, i])
                    y_trace[j, i] *= math.exp(-dt / params["tau_minus"][j, i])
        if current is not None and s % steps_per_input == 0:
            drive = np.zeros(n)
            for c in range(net.n_inputs):
                for i in range(n):
                    if w_in[c, i] != 0.0:
                        drive[i] += w_in[c, i] * current[s // steps_per_input, c]

        def free(i):
            return s >= refractory_until[i]

        for i in range(n):
            if free(i):
                target = net.v_rest + drive[i]
                v[i] = target + (v[i] - target) * math.exp(-dt / net.tau_m[i])
        spikes = []
        for i in range(n):
            above = v[i] > net.v_th[i] if net.strict_threshold else v[i] >= net.v_th[i]
            if free(i) and above:
                spikes.append(i)
        for i in spikes:
            refractory_until[i] = s + ref_steps
            raster.append((s, i))

        for j in spikes:
            for i in range(n):
                if not exists[j, i]:
                    continue
                if free(i):
                    v[i] += w[j, i]
                if learn and plastic[j, i]:
                    if soft:
                        x_trace[j, i] += 1.0
                        w[j, i] -= params["eta_minus"][j, i] * (w[j, i] - net.w_min) * y_trace[j, i]
                    else:
                        x_trace[j, i] += params["eta_plus"][j, i]
                        w[j, i] -= y_trace[j, i]
                    w[j, i] = min(max(w[j, i], net.w_min), net.w_max)
        if input_counts is not None:
            for c in range(net.n_inputs):
                for _ in range(int(input_counts[s, c])):
                    for i in range(n):
                        if w_in[c, i] != 0.0 and free(i):
                            v[i] += w_in[c, i]
        if learn:
            for i in spikes:
                for j in range(n):
                    if not plastic[j, i]:
                        continue
                    if soft:
                        y_trace[j, i] += 1.0
                        w[j, i] += params["eta_plus"][j, i] * (net.w_max - w[j, i]) * x_trace[j, i]
                    else:
                        y_trace[j, i] += params["eta_minus"][j, i]
                        w[j, i] += x_trace[j, i]
                    w[j, i] = min(max(w[j, i], net.w_min), net.w_max)
        for i in spikes:
            v[i] = net.v_reset
    return raster, w[net.pre, net.post], v
