"""Reading a change set and judging its data loss (deploy/changeset.py), on change sets shaped as
CloudFormation returns them (Replacement, Scope, Details) and as moto does (none of those)."""

from __future__ import annotations

from typing import Any

from deploy.changeset import PlannedChange, data_risks, parse_changes

TABLE = "AWS::DynamoDB::Table"
SECRET = "AWS::SecretsManager::Secret"


def aws_change(
    logical_id: str, resource_type: str, *, action: str = "Modify", replacement: str = "", **details: str
) -> dict[str, Any]:
    """One entry of DescribeChangeSet's Changes, as CloudFormation returns it; ``details`` maps a
    property to its RequiresRecreation."""
    change: dict[str, Any] = {
        "Action": action,
        "LogicalResourceId": logical_id,
        "PhysicalResourceId": f"ios-auth-prod-{logical_id}",
        "ResourceType": resource_type,
        "Scope": ["Properties"] if details else [],
        "Details": [
            {
                "Target": {"Attribute": "Properties", "Name": name, "RequiresRecreation": recreation},
                "Evaluation": "Static",
                "ChangeSource": "DirectModification",
            }
            for name, recreation in details.items()
        ],
    }
    if replacement:
        change["Replacement"] = replacement
    return {"Type": "Resource", "ResourceChange": change}


def template(**resources: dict[str, Any]) -> dict[str, Any]:
    return {"Resources": resources}


def table(key: str = "id", **attributes: str) -> dict[str, Any]:
    return {
        "Type": TABLE,
        **attributes,
        "Properties": {
            "KeySchema": [{"AttributeName": key, "KeyType": "HASH"}],
            "BillingMode": "PAY_PER_REQUEST",
        },
    }


def test_replacement_of_a_table_names_it_and_the_property_that_forces_it() -> None:
    changes = parse_changes(
        [aws_change("UsersTable", TABLE, replacement="True", KeySchema="Always", BillingMode="Never")]
    )
    assert changes[0].recreation_causes == ("KeySchema (RequiresRecreation: Always)",)
    (risk,) = data_risks(changes, deployed=template(UsersTable=table()), new=template(UsersTable=table("pk")))
    assert risk.loses_data
    assert risk.what.startswith(
        "UsersTable (AWS::DynamoDB::Table) replaced, forced by KeySchema (RequiresRecreation: Always)"
    )
    assert "a new, empty one; the old one is deleted with its items" in risk.what
    assert changes[0].line().endswith("(replacement: KeySchema (RequiresRecreation: Always))")


def test_update_replace_policy_retain_keeps_the_old_table_but_the_replacement_is_still_refused() -> None:
    changes = parse_changes([aws_change("UsersTable", TABLE, replacement="True", KeySchema="Always")])
    new = template(UsersTable=table("pk", UpdateReplacePolicy="Retain"))
    (risk,) = data_risks(changes, deployed=template(UsersTable=table()), new=new)
    assert risk.loses_data
    assert (
        "the old one is kept, UpdateReplacePolicy Retain, but the stack moves to a new, empty one"
        in risk.what
    )


def test_a_conditional_replacement_of_a_secret_is_a_risk() -> None:
    changes = parse_changes(
        [aws_change("SigningKeysSecret", SECRET, replacement="Conditional", Name="Conditionally")]
    )
    (risk,) = data_risks(changes, deployed=template(), new=template())
    assert risk.what.startswith(
        "SigningKeysSecret (AWS::SecretsManager::Secret) possibly replaced (Replacement: Conditional), "
        "forced by Name (RequiresRecreation: Conditionally)"
    )


def test_an_update_in_place_and_stateless_replacements_are_no_risk() -> None:
    changes = parse_changes(
        [
            aws_change("UsersTable", TABLE, replacement="False", BillingMode="Never"),
            aws_change("LoginFunction", "AWS::Lambda::Function", replacement="True", FunctionName="Always"),
            aws_change("NewTable", TABLE, action="Add"),
        ]
    )
    assert data_risks(changes, deployed=template(), new=template()) == []


def test_removing_a_table_deletes_it_unless_its_deletion_policy_retains_it() -> None:
    changes = parse_changes(
        [
            aws_change("UsersTable", TABLE, action="Remove"),
            aws_change("SessionsTable", TABLE, action="Remove"),
        ]
    )
    deployed = template(UsersTable=table(DeletionPolicy="Retain"), SessionsTable=table())
    kept, deleted = data_risks(changes, deployed=deployed, new=template())
    assert not kept.loses_data
    assert kept.what == (
        "UsersTable (AWS::DynamoDB::Table) leaves the stack but is kept (DeletionPolicy Retain): "
        "no data is lost"
    )
    assert deleted.loses_data
    assert (
        deleted.what == "SessionsTable (AWS::DynamoDB::Table) deleted with its items (DeletionPolicy Delete)"
    )


def test_a_removal_whose_policy_cannot_be_read_is_a_risk() -> None:
    (risk,) = data_risks(
        parse_changes([aws_change("UsersTable", TABLE, action="Remove")]), deployed=None, new=template()
    )
    assert risk.loses_data
    assert "could not be read" in risk.what


def test_without_replacement_field_the_changed_properties_are_named_from_the_templates() -> None:
    # moto's shape: Action, LogicalResourceId and ResourceType only.
    moto = [{"Type": "Resource", "ResourceChange": {"Action": "Modify", "LogicalResourceId": "ItemsTable",
                                                    "ResourceType": TABLE}}]  # fmt: skip
    changes = parse_changes(moto)
    assert changes == [PlannedChange("Modify", "ItemsTable", TABLE)]
    (risk,) = data_risks(changes, deployed=template(ItemsTable=table()), new=template(ItemsTable=table("pk")))
    assert risk.loses_data
    assert risk.what.startswith("ItemsTable (AWS::DynamoDB::Table) possibly replaced, forced by KeySchema")
    assert "the change set gives no Replacement or Details" in risk.what
    # Only the resource's attributes changed, not its properties: nothing can force a replacement.
    retained = template(ItemsTable=table(DeletionPolicy="Retain"))
    assert data_risks(changes, deployed=template(ItemsTable=table()), new=retained) == []
