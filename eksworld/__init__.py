"""eksworld: an emulated Amazon EKS + EC2 + Kubernetes world for lifecycle.eks tests and demos.

Layout:
- state.py     shared clock, request log, fault configuration, event bus (no I/O)
- catalog.py   realistic EKS data: Kubernetes versions, support calendar, add-on versions
- aws.py       moto server extended with the EKS operations moto lacks, fault + log middleware
- kube.py      a small stateful Kubernetes API server, one virtual cluster per URL prefix
- scenario.py  declarative fleet scenarios -> seeded world, inventory and kubeconfigs
- world.py     the glue: one process serving both APIs, consistent with each other
"""
