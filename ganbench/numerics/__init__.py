"""Shared math of the measures, one concept per module.

- ``checks``: input checks (matrices, images, logits, priors, seeds, integer parameters);
- ``distances``: chunked Euclidean k-NN and ball counts with canonical, exactly tied distances;
- ``gaussian``: means, covariances and the Fréchet distance;
- ``kernels``: the unbiased MMD² estimator and its kernels;
- ``distributions``: softmax, entropy, KL and Jensen–Shannon divergences;
- ``filters``: Gaussian windows and separable image filters;
- ``glicko2``: Glicko-2 rating updates;
- ``memo``: the content-keyed memo that lets measures share a pass;
- ``blocks``: splitting rows into blocks.
"""
