namespace Rein.Hooks;

/// <summary>
/// The script that replaces a git hook: it runs the original (kept beside it as <c>HOOK.rein-original</c>) under
/// <c>rein run --timeout DUR --lock hook-REPO</c>, so a stuck check is stopped with its whole process tree at the
/// deadline (git gives a hook no process group of its own, so a wrapper in the hook cannot do this) and the
/// commit fails with a sentence saying so. Every value in it is single-quoted; the original is found next to
/// the shim through <c>$0</c>, so the repository can move.
/// </summary>
public static class HookShim
{
    public const string Marker = "# rein-hook v1";
    public const string OriginalSuffix = ".rein-original";

    /// <summary>The <c>REIN_*</c> variables a hook does not take from its environment: run limits that an outer
    /// <c>rein run</c> (a commit made by a guarded agent or make) was given through the environment. The hook's
    /// own limits are its flags and rein.toml; machine-wide settings (REIN_HOME, REIN_CONFIG, REIN_GRACE, ...)
    /// pass through.</summary>
    public static readonly IReadOnlyList<string> NotInherited =
    [
        "REIN_TIMEOUT",
        "REIN_IDLE_TIMEOUT",
        "REIN_MEMORY",
        "REIN_MAX_PROCS",
        "REIN_MIN_AVAILABLE",
    ];

    public static string Render(string hook, string rein, string timeout, string lockName)
    {
        var unset = string.Join(' ', NotInherited.Select(v => $"-u {v}"));
        return $$"""
            #!/bin/sh
            {{Marker}}: installed by `rein hook install {{hook}} --timeout {{timeout}}`; `rein hook uninstall {{hook}}`
            # puts the original back exactly. The original runs under rein: at the deadline it is stopped with its
            # whole process tree and git is told the hook failed.
            rein={{Quote(rein)}}
            hook="$(dirname -- "$0")"/{{Quote(hook + OriginalSuffix)}}
            if [ ! -x "$rein" ]; then
              if command -v rein >/dev/null 2>&1; then
                rein=rein
              else
                echo {{Quote(
                $"rein hook: rein is not installed where it was ({rein}) nor on PATH; reinstall it, or remove this hook with rein hook uninstall {hook}"
            )}} >&2
                exit 1
              fi
            fi
            # Limits an outer `rein run` took from REIN_* variables are not this hook's: it has its own --timeout.
            # --force: no retry breaker (a person re-runs a commit on purpose, after fixing the hook). The report
            # says which gate refused a run that did not start (exit 75).
            report="$(mktemp "${TMPDIR:-/tmp}/rein-hook.XXXXXX" 2>/dev/null)" || report=
            env {{unset}} "$rein" run --force --timeout {{Quote(timeout)}} --lock {{Quote(
                lockName
            )}} ${report:+--report "$report"} -- "$hook" "$@"
            status=$?
            busy=
            if [ -n "$report" ]; then
              grep -q '"gate": *"lock"' "$report" 2>/dev/null && busy=1
              rm -f "$report"
            fi
            case $status in
              124) echo {{Quote(
                $"rein hook: the {hook} hook did not finish within {timeout}; it was stopped with its whole process tree, so git stops here (find what hangs, or skip hooks once with --no-verify)"
            )}} >&2 ;;
              75) if [ -n "$busy" ]; then echo {{Quote(
                $"rein hook: another {hook} hook of this repository holds lock '{lockName}' (rein locks shows it); try again when it is done"
            )}} >&2; else echo {{Quote(
                $"rein hook: the {hook} hook was not started (rein run says why above); git stops here"
            )}} >&2; fi ;;
            esac
            exit $status

            """;
    }

    public static bool IsShim(string text) =>
        text.Contains($"\n{Marker}:", StringComparison.Ordinal);

    /// <summary>POSIX shell single quoting: everything literal, a quote written as <c>'\''</c>.</summary>
    public static string Quote(string value) =>
        "'" + value.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}
