"""``zonemap user add|list|remove|disable|enable|set-provinces|set-password`` and ``zonemap token
create|revoke``: people and API tokens.

Every change is written to the audit log (actor ``cli:<os user>``).
"""

from __future__ import annotations

import sys

import typer

from api.cli.common import print_json, transaction

user_app = typer.Typer(help="Users and their roles (viewer, editor, admin).", no_args_is_help=True)
token_app = typer.Typer(help="API tokens (Authorization: Bearer ...).", no_args_is_help=True)


@user_app.command("add")
def add_user(
    name: str = typer.Argument(..., help="Login name (letters, digits, . _ @ -)."),
    role: str = typer.Option("viewer", "--role", help="viewer, editor or admin."),
    province: list[str] = typer.Option(
        [], "--province", help="2025-34 province code an editor may write (repeat for more)."
    ),
    password_stdin: bool = typer.Option(
        False, "--password-stdin", help="Read a web-login password from standard input."
    ),
) -> None:
    """Add a user; give an editor one or more provinces."""
    from api.auth import audit
    from api.auth.users import create_user

    password = _read_password() if password_stdin else None
    with transaction() as session:
        user = create_user(session, name, role=role, provinces=province, password=password)
        audit.record(
            session,
            "user.add",
            target=f"user:{name}",
            details={"role": role, "provinces": list(user["provinces"])},
        )
    scope = f" for provinces {', '.join(user['provinces'])}" if user["provinces"] else ""
    typer.echo(f"user {name} added as {role}{scope}")


def _read_password() -> str:
    from api.auth.passwords import MIN_PASSWORD_LENGTH

    password = sys.stdin.readline().rstrip("\r\n")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise typer.BadParameter(
            f"the password on stdin must have at least {MIN_PASSWORD_LENGTH} characters"
        )
    return password


@user_app.command("list")
def list_users(as_json: bool = typer.Option(False, "--json", help="JSON on stdout.")) -> None:
    """List the users, their roles, provinces and live tokens."""
    from api.auth.users import list_users as fetch

    with transaction() as session:
        users = fetch(session)
    if as_json:
        print_json(users)
        return
    for u in users:
        provinces = ",".join(u["provinces"]) or "-"
        state = "" if u["active"] else " (inactive)"
        typer.echo(
            f"{u['name']:<24} {u['role']:<7} provinces={provinces:<12} "
            f"tokens={u['live_tokens']} password={'yes' if u['has_password'] else 'no'}"
            f"{state}"
        )


@user_app.command("unlock")
def unlock_user(
    name: str | None = typer.Argument(None, help="Account to unlock (its failed sign-ins)."),
    address: str | None = typer.Option(None, "--address", help="Also clear a client address."),
) -> None:
    """Lift the lockout and login delays of an account (and/or a client address)."""
    from api.auth import audit, throttle

    if not name and not address:
        raise typer.BadParameter("give an account name or --address")
    with transaction() as session:
        cleared = throttle.unlock(session, name=name, address=address)
        audit.record(
            session,
            "auth.unlock",
            target=f"user:{name}" if name else None,
            details={"address": address, "cleared": cleared},
        )
    typer.echo(f"unlocked {name or ''}{' ' + address if address else ''} ({cleared} entries)")


@user_app.command("locked")
def list_locked(as_json: bool = typer.Option(False, "--json", help="JSON on stdout.")) -> None:
    """Accounts locked and keys delayed by failed sign-ins."""
    from api.auth import throttle

    with transaction() as session:
        rows = throttle.locked_accounts(session)
    if as_json:
        print_json(rows)
        return
    for r in rows:
        state = "locked" if r["locked_at"] else f"delayed until {r['blocked_until']}"
        typer.echo(f"{r['key']:<40} failures={r['failures']:<4} {state}")


@user_app.command("remove")
def remove_user(
    name: str = typer.Argument(..., help="Login name of the user to delete."),
    yes: bool = typer.Option(False, "--yes", help="Do not ask for confirmation."),
) -> None:
    """Delete a user and their API tokens; their sessions stop working at once."""
    from api.auth.users import remove_user as remove

    if not yes:
        typer.confirm(f"Delete user {name} and their API tokens?", abort=True)
    with transaction() as session:
        user = remove(session, name)
        _audit(session, "user.remove", name, role=user["role"])
    typer.echo(f"user {name} removed (their tokens and sessions no longer work)")


@user_app.command("disable")
def disable_user(name: str = typer.Argument(..., help="Login name.")) -> None:
    """Disable a user: their sessions and tokens are refused until they are enabled again."""
    _set_active(name, active=False)
    typer.echo(f"user {name} disabled (their sessions and tokens are refused)")


@user_app.command("enable")
def enable_user(name: str = typer.Argument(..., help="Login name.")) -> None:
    """Enable a disabled user again (they log in anew; their tokens work again)."""
    _set_active(name, active=True)
    typer.echo(f"user {name} enabled")


def _set_active(name: str, *, active: bool) -> None:
    from api.auth.users import set_active

    with transaction() as session:
        set_active(session, name, active=active)
        _audit(session, "user.enable" if active else "user.disable", name)


@user_app.command("set-provinces")
def set_provinces(
    name: str = typer.Argument(..., help="Login name of an editor."),
    province: list[str] = typer.Option(
        ..., "--province", help="2025-34 province code the editor may write (repeat for more)."
    ),
) -> None:
    """Replace an editor's provinces; the change applies to their next request."""
    from api.auth.users import set_provinces as rescope

    with transaction() as session:
        before = _provinces_of(session, name)
        user = rescope(session, name, province)
        _audit(session, "user.set_provinces", name, before=before, after=list(user["provinces"]))
    typer.echo(f"user {name} may now write provinces {', '.join(user['provinces'])}")


def _provinces_of(session, name: str) -> list[str]:  # noqa: ANN001
    from api.auth.users import require_user

    return list(require_user(session, name)["provinces"])


@user_app.command("set-password")
def set_password(
    name: str = typer.Argument(..., help="Login name."),
    password_stdin: bool = typer.Option(
        False, "--password-stdin", help="Read the new password from standard input."
    ),
) -> None:
    """Give a user a new web-login password; their open sessions end at once."""
    from api.auth.users import set_password as store

    if not password_stdin:
        raise typer.BadParameter("pass the new password on standard input with --password-stdin")
    password = _read_password()
    with transaction() as session:
        store(session, name, password)
        _audit(session, "user.set_password", name)
    typer.echo(f"password of {name} set; their open sessions were ended")


def _audit(session, action: str, name: str, **details: object) -> None:  # noqa: ANN001
    from api.auth import audit

    audit.record(session, action, target=f"user:{name}", details=details)


@token_app.command("create")
def create_token(
    name: str = typer.Argument(..., help="User the token acts for."),
    expires_days: float = typer.Option(
        90, "--expires-days", help="Days until it expires (0: never)."
    ),
) -> None:
    """Create an API token; it is printed once and only its hash is stored."""
    from api.auth import audit
    from api.auth.tokens import create_token as issue

    with transaction() as session:
        issued = issue(session, name, expires_days=expires_days or None)
        audit.record(
            session,
            "token.create",
            target=f"token:{issued.token_id}",
            details={"user": name, "prefix": issued.prefix, "expires_at": issued.expires_at},
        )
    expiry = issued.expires_at.isoformat(timespec="minutes") if issued.expires_at else "never"
    typer.echo(
        f"token {issued.token_id} ({issued.prefix}…) for {name}, expires {expiry}.", err=True
    )
    typer.echo("Store it now: it is not shown again.", err=True)
    typer.echo(issued.token)


@token_app.command("revoke")
def revoke_token(ident: str = typer.Argument(..., help="Token id or its display prefix.")) -> None:
    """Revoke a token at once."""
    from api.auth import audit
    from api.auth.tokens import revoke_token as revoke

    with transaction() as session:
        token = revoke(session, ident)
        audit.record(
            session,
            "token.revoke",
            target=f"token:{token['id']}",
            details={"user": token["user"], "prefix": token["prefix"]},
        )
    typer.echo(f"token {token['id']} ({token['prefix']}…) of {token['user']} revoked")
