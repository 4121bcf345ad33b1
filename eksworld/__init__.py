"""eksworld: an emulated Amazon EKS + EC2 + Kubernetes world for lifecycle.eks tests and demos.

Layout:
- state.py        shared clock, request log, fault configuration, event bus (no I/O)
- catalog.py      realistic EKS data: Kubernetes versions, support calendar, add-on versions
- aws.py          the AWS endpoint: moto's server behind the fault + log middleware
  - aws_requests.py         naming requests (service, operation, cluster); injected fault responses
  - aws_responses.py        moto's EKS responses completed, plus the EKS operations moto lacks
  - aws_control_plane.py    EksControlPlane (one per region: ControlPlanes), made of one class per concern:
    aws_cluster_updates.py (version updates, rollbacks), aws_nodegroups.py, aws_addons.py,
    aws_insights.py, aws_network.py (EC2: cluster health, security groups), on aws_region.py
    (backends, clock, lookups, request tokens)
  - aws_records.py, aws_errors.py, aws_catalog.py   EKS state on moto's objects, errors, version listings
  - aws_seeding.py          the in-process seeding API of AwsEmulator
  - moto_hooks.py           the only module that uses moto beyond its documented surface
- kube.py         a small stateful Kubernetes API server, one virtual cluster per URL prefix
  (kube_routes.py routing and discovery, kube_store.py objects, kube_types.py resource types, ...)
- scenario.py     declarative fleet scenarios -> seeded world, inventory and kubeconfigs
- world.py        the glue: one process serving both APIs, consistent with each other
"""
