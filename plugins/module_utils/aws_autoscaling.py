# -*- coding: utf-8 -*-
# Copyright: (c) 2026, lifecycle.eks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# ruff: noqa: UP001, UP009, UP010 -- Ansible's module_utils boilerplate (coding, __future__, __metaclass__)
"""The AWS calls of self-managed node groups: Auto Scaling groups and instance refreshes, launch template versions,
AMIs and public SSM parameters. Thin wrappers on ``aws.Clients`` (retried, counted, errors as ModuleError), kept
apart from aws.py as the node group calls of one feature.
"""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import time
import uuid

from ansible_collections.lifecycle.eks.plugins.module_utils.aws import poll
from ansible_collections.lifecycle.eks.plugins.module_utils.common import ModuleError

# GetParameters takes at most 10 names.
MAX_PARAMETERS = 10
# DescribeAutoScalingInstances takes at most 50 instance ids.
MAX_INSTANCES = 50
REFRESH_IN_PROGRESS_CODE = "InstanceRefreshInProgress"


class NodeGroupCalls:
    """Auto Scaling, EC2 and SSM calls on a module's ``Clients`` (its region, counters and retries)."""

    def __init__(self, clients):
        self.clients = clients

    @property
    def autoscaling(self):
        return self.clients.client("autoscaling")

    @property
    def ssm(self):
        return self.clients.client("ssm")

    def describe_groups(self, names=None, tag=None):
        """Auto Scaling groups by name, or those carrying the tag ``(key, values)``."""
        kwargs = {}
        if names:
            kwargs["AutoScalingGroupNames"] = list(names)
        if tag:
            kwargs["Filters"] = [{"Name": "tag:%s" % tag[0], "Values": list(tag[1])}]
        what = ", ".join(names) if names else "tagged %s" % (tag[0] if tag else "(any)")
        return self.clients._all_pages("describe Auto Scaling groups %s" % what, self.autoscaling,
                                       "describe_auto_scaling_groups", "AutoScalingGroups", **kwargs)

    def groups_of_instances(self, instance_ids):
        """{instance id: Auto Scaling group} of those of the instances that are in one (50 ids per call)."""
        ids = sorted(set(instance_ids))
        found = {}
        for start in range(0, len(ids), MAX_INSTANCES):
            chunk = ids[start:start + MAX_INSTANCES]
            for item in self.clients._all_pages("find the Auto Scaling groups of instances %s" % ", ".join(chunk),
                                                self.autoscaling, "describe_auto_scaling_instances",
                                                "AutoScalingInstances", InstanceIds=chunk):
                found[item["InstanceId"]] = item["AutoScalingGroupName"]
        return found

    def describe_lifecycle_hooks(self, group):
        return self.clients.call("describe lifecycle hooks of Auto Scaling group %s" % group,
                                 self.autoscaling.describe_lifecycle_hooks,
                                 AutoScalingGroupName=group).get("LifecycleHooks", [])

    def latest_instance_refresh(self, group):
        """The group's most recent instance refresh (Auto Scaling lists the newest first), or None."""
        found = self.clients.call("describe instance refreshes of Auto Scaling group %s" % group,
                                  self.autoscaling.describe_instance_refreshes, AutoScalingGroupName=group,
                                  MaxRecords=1).get("InstanceRefreshes", [])
        return found[0] if found else None

    def instance_refresh(self, group, refresh_id):
        found = self.clients.call("describe instance refresh %s of Auto Scaling group %s" % (refresh_id, group),
                                  self.autoscaling.describe_instance_refreshes, AutoScalingGroupName=group,
                                  InstanceRefreshIds=[refresh_id]).get("InstanceRefreshes", [])
        if not found:
            raise ModuleError("Instance refresh %s of Auto Scaling group %s is not found." % (refresh_id, group))
        return found[0]

    def start_instance_refresh(self, group, min_healthy_percentage, instance_warmup=None):
        """StartInstanceRefresh (rolling); returns its id. A refresh already running fails with
        InstanceRefreshInProgress, which the caller resumes."""
        preferences = {"MinHealthyPercentage": int(min_healthy_percentage), "SkipMatching": True}
        if instance_warmup is not None:
            preferences["InstanceWarmup"] = int(instance_warmup)
        return self.clients.call("start an instance refresh of Auto Scaling group %s" % group,
                                 self.autoscaling.start_instance_refresh, AutoScalingGroupName=group,
                                 Strategy="Rolling", Preferences=preferences)["InstanceRefreshId"]

    def set_launch_template_version(self, group, template, version):
        """Point the group at ``version`` of its launch template (by id, as the group names it)."""
        spec = {"LaunchTemplateId": template["id"]} if template.get("id") else {"LaunchTemplateName": template["name"]}
        spec["Version"] = str(version)
        self.clients.call("set launch template version %s on Auto Scaling group %s" % (version, group),
                          self.autoscaling.update_auto_scaling_group, AutoScalingGroupName=group, LaunchTemplate=spec)

    def create_launch_template_version(self, template, source_version, image_id, description):
        """A new version of ``template`` copied from ``source_version`` with only the AMI changed; its number."""
        kwargs = {"LaunchTemplateId": template["id"]} if template.get("id") else {
            "LaunchTemplateName": template["name"]}
        label = template.get("name") or template.get("id")
        # One token for every attempt: a retried request cannot create a second version.
        response = self.clients.call("create a version of launch template %s" % label,
                                     self.clients.ec2.create_launch_template_version, SourceVersion=str(source_version),
                                     LaunchTemplateData={"ImageId": image_id}, VersionDescription=description,
                                     ClientToken=str(uuid.uuid4()), **kwargs)
        return response["LaunchTemplateVersion"]["VersionNumber"]

    def launch_template_versions(self, template, versions):
        return self.clients.describe_launch_template_versions(template, versions)

    def describe_images(self, image_ids):
        """The given AMIs that EC2 lists (a deregistered one is absent, not an error)."""
        ids = sorted(set(i for i in image_ids if i))
        if not ids:
            return []
        return self.clients._all_pages("describe AMIs %s" % ", ".join(ids), self.clients.ec2,
                                       "describe_images", "Images", Filters=[{"Name": "image-id", "Values": ids}])

    def get_parameters(self, names):
        """{name: value} of those of the given SSM parameters that exist (GetParameters, 10 at a time)."""
        names = sorted(set(names))
        values = {}
        for start in range(0, len(names), MAX_PARAMETERS):
            chunk = names[start:start + MAX_PARAMETERS]
            response = self.clients.call("read SSM parameters %s" % ", ".join(chunk), self.ssm.get_parameters,
                                         Names=chunk)
            values.update({p["Name"]: p["Value"] for p in response.get("Parameters", [])})
        return values


class InstanceRefreshTimeout(ModuleError):
    """An instance refresh still running when the module stopped waiting; Auto Scaling carries on with it."""

    def __init__(self, group, refresh, waited):
        super().__init__(
            "Timed out after %.0f s waiting for instance refresh %s of Auto Scaling group %s (%s, %s%% done), which "
            "Auto Scaling carries on with. Rerun the same task to resume waiting: a running refresh is waited for, "
            "never started twice." % (waited, refresh.get("InstanceRefreshId"), group, refresh.get("Status"),
                                      refresh.get("PercentageComplete", 0)),
            {"instance_refresh": refresh})


def wait_for_refresh(calls, group, refresh_id, running, timeout=3600, min_delay=5.0, max_delay=30.0,
                     sleep=time.sleep, clock=time.monotonic):
    """Poll DescribeInstanceRefreshes (aws.poll: the cluster's budget of polls) until the refresh leaves the
    ``running`` statuses; return it. Raises InstanceRefreshTimeout after ``timeout`` s."""
    last = {}

    def fetch():
        last["refresh"] = calls.instance_refresh(group, refresh_id)
        return last["refresh"]

    refresh, waited = poll(fetch, lambda found: found.get("Status") not in running, calls.clients.stats,
                           timeout=timeout, min_delay=min_delay, max_delay=max_delay, sleep=sleep, clock=clock)
    if refresh is None:
        raise InstanceRefreshTimeout(group, last.get("refresh") or {"InstanceRefreshId": refresh_id}, waited)
    return refresh
