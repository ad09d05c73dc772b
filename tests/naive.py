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
import scipy.linalg


def simulate(net, dt, n_steps, current=None, steps_per_input=1, input_counts=None,
             learn=False, noise_seed=0):
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
    noise_seed : int
        Seed of the membrane noise (the same counter-based draws as the kernel,
        written here with Python integers).

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
    currents = net.current_synapses
    ge, gi, adapt = np.zeros(n), np.zeros(n), np.zeros(n)

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
            v[i], ge[i], gi[i] = _step_neuron(net, i, dt, v[i], ge[i], gi[i], drive[i], free(i))
            if free(i) and net.noise_sigma[i] > 0:
                scale = net.noise_sigma[i] * math.sqrt(1 - math.exp(-2 * dt / net.tau_m[i]))
                v[i] += scale * normal(noise_seed, s, i)
            adapt[i] *= math.exp(-dt / net.tau_adapt[i])
        spikes = []
        for i in range(n):
            threshold = net.v_th[i] + net.adapt_beta[i] * adapt[i]
            above = v[i] > threshold if net.strict_threshold else v[i] >= threshold
            if free(i) and above:
                spikes.append(i)
        for i in spikes:
            refractory_until[i] = s + ref_steps
            raster.append((s, i))

        for j in spikes:
            for i in range(n):
                if not exists[j, i]:
                    continue
                if currents:
                    _add_current(net, i, w[j, i], ge, gi)
                elif free(i):
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
                        if w_in[c, i] != 0.0 and currents:
                            _add_current(net, i, w_in[c, i], ge, gi)
                        elif w_in[c, i] != 0.0 and free(i):
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
            adapt[i] += 1.0 / net.tau_adapt[i]
    return raster, w[net.pre, net.post], v


def _step_neuron(net, i, dt, v, ge, gi, drive, free):
    """One exact step of ``[v, ge, gi]`` by the matrix exponential of the linear system.

    ``v' = (v_rest + drive + bias - v) / tau_m + ge + gi`` (frozen while
    refractory), ``ge' = -ge / tau_syn_exc``, ``gi' = -gi / tau_syn_inh``;
    the affine term rides along as a constant fourth coordinate.
    """
    tau_m = net.tau_m[i]
    if not net.current_synapses:
        if not free:
            return v, ge, gi
        target = net.v_rest + drive + net.bias[i]
        return target + (v - target) * math.exp(-dt / tau_m), ge, gi
    system = np.zeros((4, 4))
    if free:
        system[0] = [-1 / tau_m, 1.0, 1.0, (net.v_rest + drive + net.bias[i]) / tau_m]
    system[1, 1] = -1 / net.tau_syn_exc[i]
    system[2, 2] = -1 / net.tau_syn_inh[i]
    new = scipy.linalg.expm(system * dt) @ np.array([v, ge, gi, 1.0])
    return new[0], new[1], new[2]


def _add_current(net, i, weight, ge, gi):
    """A spike through a current synapse: total charge ``weight``, by the weight's sign."""
    if weight >= 0:
        ge[i] += weight / net.tau_syn_exc[i]
    else:
        gi[i] += weight / net.tau_syn_inh[i]


_MASK = (1 << 64) - 1


def _splitmix64(x):
    x = (x + 0x9E3779B97F4A7C15) & _MASK
    z = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _MASK
    return z ^ (z >> 31)


def normal(seed, step, neuron):
    """The kernel's counter-based standard normal (ziggurat), with Python integers."""
    from hrsnn._kernels.lif import ZIGGURAT_F as f, ZIGGURAT_K as k, ZIGGURAT_W as w

    z = _splitmix64((seed * 0xD1B54A32D192ED03 + step * 0xABC98388FB8FAC03 + neuron) & _MASK)

    def signed32(z):
        low = z & 0xFFFFFFFF
        return low - (1 << 32) if low >= (1 << 31) else low

    def unit(z):
        return ((z >> 11) + 1) / 2.0 ** 53

    hz = signed32(z)
    layer = hz & 127
    while abs(hz) >= k[layer]:
        x = hz * w[layer]
        if layer == 0:
            while True:
                z = _splitmix64(z)
                x = -math.log(unit(z)) / 3.442620
                z = _splitmix64(z)
                if -2.0 * math.log(unit(z)) >= x * x:
                    return 3.442620 + x if hz > 0 else -3.442620 - x
        z = _splitmix64(z)
        if f[layer] + unit(z) * (f[layer - 1] - f[layer]) < math.exp(-0.5 * x * x):
            return x
        z = _splitmix64(z)
        hz = signed32(z)
        layer = hz & 127
    return hz * w[layer]
