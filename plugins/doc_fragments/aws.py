# -*- coding: utf-8 -*-
# Copyright: (c) 2026, lifecycle.eks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# ruff: noqa: UP001, UP009, UP010 -- Ansible's plugin boilerplate (coding, __future__, __metaclass__)
from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment:
    # AWS connection options of every lifecycle.eks module (common.aws_argument_spec()).
    DOCUMENTATION = r"""
options:
  region:
    description:
      - The AWS region of the cluster.
      - When unset, the E(AWS_REGION) or E(AWS_DEFAULT_REGION) environment variables are used, in that
        order, then the region of the selected profile. The module fails when no region is found.
    type: str
    aliases: [aws_region, ec2_region]
  profile:
    description:
      - A named profile from the AWS shared configuration and credentials files.
      - When unset, the E(AWS_PROFILE) environment variable is used.
    type: str
    aliases: [aws_profile]
  access_key:
    description:
      - AWS access key ID.
      - When unset, the E(AWS_ACCESS_KEY_ID) environment variable is used.
      - When no credentials are given, boto3's usual chain applies (environment, shared files,
        container and instance roles).
    type: str
    aliases: [aws_access_key_id, aws_access_key]
  secret_key:
    description:
      - AWS secret access key, used with O(access_key).
      - When unset, the E(AWS_SECRET_ACCESS_KEY) environment variable is used.
    type: str
    aliases: [aws_secret_access_key]
  session_token:
    description:
      - AWS session token, for temporary credentials.
      - When unset, the E(AWS_SESSION_TOKEN) environment variable is used.
    type: str
    aliases: [aws_session_token, security_token]
  endpoint_url:
    description:
      - URL to send every AWS API call (EKS, EC2 and STS) to instead of the AWS endpoints, for example
        an emulator.
      - When unset, botocore applies the E(AWS_ENDPOINT_URL) environment variable to every service and
        E(AWS_ENDPOINT_URL_EKS), E(AWS_ENDPOINT_URL_EC2) or E(AWS_ENDPOINT_URL_STS) to one service.
      - This option does not apply to the Kubernetes authentication token, which must name an STS
        endpoint the cluster accepts.
    type: str
    aliases: [aws_endpoint_url]
  assume_role_arn:
    description:
      - ARN of an IAM role to assume with sts:AssumeRole; every call then uses the role's temporary
        credentials.
    type: str
  assume_role_session_name:
    description:
      - Session name recorded in CloudTrail for O(assume_role_arn).
      - Defaults to V(lifecycle-eks).
    type: str
  validate_certs:
    description:
      - Whether to verify the TLS certificates of the AWS endpoints.
      - Set to V(false) only for a self-signed O(endpoint_url).
      - The E(AWS_CA_BUNDLE) environment variable is honoured when V(true).
    type: bool
    default: true
  retries:
    description:
      - How many times an AWS call is retried when AWS throttles it (C(ThrottlingException),
        C(TooManyRequestsException)) or fails with an HTTP 5xx error, with exponential backoff and full
        jitter capped at 20 seconds.
      - Other errors are reported at once.
    type: int
    default: 10
requirements:
  - boto3 >= 1.34.141
  - botocore >= 1.34.141
"""
