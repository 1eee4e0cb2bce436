"""Creating, updating and deleting the stack through change sets, with progress from its events.

The flow of ``sam deploy`` / ``aws cloudformation deploy``: CreateChangeSet (type CREATE for a new
stack, UPDATE otherwise) -> wait for it -> show what changes -> (the deployer checks and asks) ->
ExecuteChangeSet, or DeleteChangeSet for a plan or a refusal -> poll DescribeStackEvents until the
stack reaches a terminal status, printing each event once. A failed
deploy is explained by the events whose status ends in ``_FAILED`` (their ResourceStatusReason is
the actual cause; the stack's own status only says it rolled back).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import ClientError

from deploy.changeset import PlannedChange, parse_changes
from deploy.errors import DeployError
from deploy.template_file import parse_template

# The SAM transform creates IAM roles (CAPABILITY_IAM) and is itself a macro (AUTO_EXPAND).
CAPABILITIES = ("CAPABILITY_IAM", "CAPABILITY_AUTO_EXPAND")
_NO_CHANGES = ("didn't contain changes", "No updates are to be performed")


@dataclass
class StackEventLog:
    """Prints a stack's events once each, oldest first, and remembers the failures among them."""

    cfn: Any
    stack_name: str
    log: Callable[[str], None] = print
    seen: set[str] = field(default_factory=set)
    failures: list[str] = field(default_factory=list)

    def mark_existing(self) -> None:
        """Events from earlier operations are history: neither printed nor counted as failures."""
        for event in self._events():
            self.seen.add(event["EventId"])

    def poll(self) -> None:
        for event in reversed(list(self._events())):  # the API lists newest first
            if event["EventId"] in self.seen:
                continue
            self.seen.add(event["EventId"])
            status = event.get("ResourceStatus", "")
            reason = event.get("ResourceStatusReason") or ""
            stamp = (
                event["Timestamp"].strftime("%H:%M:%S") if hasattr(event.get("Timestamp"), "strftime") else ""
            )
            logical_id, resource_type = event.get("LogicalResourceId", ""), event.get("ResourceType", "")
            line = f"  {stamp:8}  {status:28}  {logical_id:32}  {resource_type}"
            self.log(f"{line}  {reason}".rstrip())
            if status.endswith("_FAILED") and reason and "cancelled" not in reason.lower():
                self.failures.append(
                    f"{event.get('LogicalResourceId')} ({event.get('ResourceType')}): {reason}"
                )

    def _events(self) -> list[dict[str, Any]]:
        try:
            pages = self.cfn.get_paginator("describe_stack_events").paginate(StackName=self.stack_name)
            return [event for page in pages for event in page["StackEvents"]]
        except ClientError:
            return []  # the stack is gone (deleted) or not there yet


@dataclass(frozen=True)
class ChangeSet:
    id: str  # its ARN
    name: str
    type: str  # CREATE (a new stack) or UPDATE
    changes: list[PlannedChange]


class Stack:
    """One CloudFormation stack, deployed through change sets."""

    def __init__(
        self,
        cfn: Any,
        name: str,
        *,
        log: Callable[[str], None] = print,
        poll_interval_s: float = 5.0,
        timeout_s: float = 3600.0,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._cfn = cfn
        self.name = name
        self._log = log
        self._poll_interval_s = poll_interval_s
        self._timeout_s = timeout_s
        self._sleep = sleep

    def status(self) -> str | None:
        try:
            stacks = self._cfn.describe_stacks(StackName=self.name)["Stacks"]
        except ClientError as exc:
            if "does not exist" in str(exc):
                return None
            raise
        return stacks[0]["StackStatus"] if stacks else None

    def outputs(self) -> dict[str, str]:
        stack = self._cfn.describe_stacks(StackName=self.name)["Stacks"][0]
        return {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])}

    def create_change_set(
        self,
        *,
        template_url: str,
        parameters: Mapping[str, str],
        tags: Mapping[str, str],
        plan_only: bool = False,
    ) -> ChangeSet | None:
        """A change set creating or updating the stack, described; None if nothing would change.
        ``plan_only``: change nothing, not even a failed first deploy's stack (deploy deletes that)."""
        status = self.status()
        if status == "ROLLBACK_COMPLETE" and plan_only:
            raise DeployError(
                f"stack {self.name} is ROLLBACK_COMPLETE from a failed first deploy: nothing to plan "
                "against (make deploy deletes it first, then creates the stack anew)"
            )
        if status == "ROLLBACK_COMPLETE":
            # A stack whose creation failed cannot be updated, only deleted (CloudFormation rule).
            self._log(f"Stack {self.name} is ROLLBACK_COMPLETE from a failed first deploy: deleting it first")
            self.delete()
            status = None
        if status is not None and status.endswith("_IN_PROGRESS") and status != "REVIEW_IN_PROGRESS":
            raise DeployError(f"stack {self.name} is busy ({status}); wait for it to finish and retry")
        change_set_type = "CREATE" if status in (None, "REVIEW_IN_PROGRESS") else "UPDATE"
        change_set_name = f"deploy-{int(time.time())}"
        self._log(f"Creating change set {change_set_name} ({change_set_type}) for stack {self.name}")
        try:
            created = self._cfn.create_change_set(
                StackName=self.name,
                ChangeSetName=change_set_name,
                ChangeSetType=change_set_type,
                TemplateURL=template_url,
                Parameters=[{"ParameterKey": k, "ParameterValue": v} for k, v in sorted(parameters.items())],
                Capabilities=list(CAPABILITIES),
                Tags=[{"Key": k, "Value": v} for k, v in sorted(tags.items())],
            )
        except ClientError as exc:
            raise DeployError(f"CloudFormation refused the template: {_message(exc)}") from None
        described = self._wait_for_change_set(created["Id"])
        change_set = ChangeSet(created["Id"], change_set_name, change_set_type, [])
        if described["Status"] == "FAILED":
            reason = described.get("StatusReason", "")
            self.discard(change_set)
            if any(marker in reason for marker in _NO_CHANGES):
                self._log("No changes to deploy: the stack is up to date")
                return None
            raise DeployError(f"change set failed: {reason}")
        return ChangeSet(created["Id"], change_set_name, change_set_type, self._all_changes(described))

    def print_changes(self, change_set: ChangeSet) -> None:
        self._log(f"{len(change_set.changes)} resource change(s):")
        for change in change_set.changes:
            self._log(change.line())

    def execute(self, change_set: ChangeSet) -> None:
        """Execute the change set and follow the stack's events to the end. Raises DeployError."""
        events = StackEventLog(self._cfn, self.name, self._log)
        events.mark_existing()
        try:
            self._cfn.execute_change_set(ChangeSetName=change_set.id, StackName=self.name)
        except ClientError as exc:
            raise DeployError(f"CloudFormation refused to execute the change set: {_message(exc)}") from None
        final = self._wait_for_stack(events, in_progress_suffix="_IN_PROGRESS")
        if final not in {"CREATE_COMPLETE", "UPDATE_COMPLETE"}:
            raise DeployError(_explain(self.name, final, events.failures))

    def discard(self, change_set: ChangeSet) -> None:
        """Delete a change set that will not be executed; for a new stack, also the empty stack
        CloudFormation made to hold it (REVIEW_IN_PROGRESS, no resources), so nothing is left."""
        self._cfn.delete_change_set(ChangeSetName=change_set.id, StackName=self.name)
        if change_set.type == "CREATE" and self.status() == "REVIEW_IN_PROGRESS":
            self._cfn.delete_stack(StackName=self.name)

    def deployed_template(self) -> dict[str, Any] | None:
        """The stack's current template after its transforms (None if it cannot be read)."""
        try:
            body = self._cfn.get_template(StackName=self.name, TemplateStage="Processed")["TemplateBody"]
        except ClientError:
            return None
        if isinstance(body, dict):  # botocore decodes a JSON body itself
            return body
        try:
            return parse_template(str(body), f"the deployed template of {self.name}")
        except DeployError:
            return None

    def _all_changes(self, described: dict[str, Any]) -> list[PlannedChange]:
        changes = list(described.get("Changes", []))
        token = described.get("NextToken")
        while token:  # a large stack's change set comes in pages
            page = self._cfn.describe_change_set(
                ChangeSetName=described["ChangeSetId"], StackName=self.name, NextToken=token
            )
            changes += page.get("Changes", [])
            token = page.get("NextToken")
        return parse_changes(changes)

    def delete(self) -> None:
        if self.status() is None:
            self._log(f"Stack {self.name} does not exist: nothing to delete")
            return
        events = StackEventLog(self._cfn, self.name, self._log)
        events.mark_existing()
        self._log(f"Deleting stack {self.name}")
        self._cfn.delete_stack(StackName=self.name)
        final = self._wait_for_stack(events, in_progress_suffix="_IN_PROGRESS")
        if final not in {None, "DELETE_COMPLETE"}:
            raise DeployError(_explain(self.name, final, events.failures))

    def _wait_for_change_set(self, change_set_id: str) -> dict[str, Any]:
        deadline = time.monotonic() + self._timeout_s
        while True:
            change_set = self._cfn.describe_change_set(ChangeSetName=change_set_id, StackName=self.name)
            if change_set["Status"] in {"CREATE_COMPLETE", "FAILED"}:
                return change_set
            if time.monotonic() > deadline:
                raise DeployError(
                    f"change set {change_set_id} still {change_set['Status']} after {self._timeout_s:.0f}s"
                )
            self._sleep(self._poll_interval_s)

    def _wait_for_stack(self, events: StackEventLog, *, in_progress_suffix: str) -> str | None:
        deadline = time.monotonic() + self._timeout_s
        while True:
            events.poll()
            status = self.status()
            if status is None or not status.endswith(in_progress_suffix):
                events.poll()
                self._log(f"Stack {self.name}: {status or 'DELETE_COMPLETE'}")
                return status
            if time.monotonic() > deadline:
                raise DeployError(f"stack {self.name} still {status} after {self._timeout_s:.0f}s")
            self._sleep(self._poll_interval_s)


def _message(exc: ClientError) -> str:
    return exc.response.get("Error", {}).get("Message") or str(exc)


def _explain(stack_name: str, status: str | None, failures: list[str]) -> str:
    if not failures:
        return f"stack {stack_name} ended {status}; see its events in the CloudFormation console"
    return f"stack {stack_name} ended {status}. Cause: " + " | ".join(failures)
