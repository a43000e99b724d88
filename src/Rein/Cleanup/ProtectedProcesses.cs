namespace Rein.Cleanup;

/// <summary>
/// Programs cleanup never signals, whatever rule selected them: a wrong kill there costs the user real work
/// (an editor's unsaved buffers, an agent's session, a browser with its tabs and profile). Matched on the
/// executable's base name, and for script interpreters (node, python, bun, deno) also on the script's, so
/// <c>node …/tsserver.js</c> is a language server. Extended by <c>cleanup.protect</c> (comma-separated names).
/// </summary>
public sealed class ProtectedProcesses
{
    /// <summary>Editors, language servers, agent CLIs, terminal multiplexers and remote shells, browsers.</summary>
    public static readonly IReadOnlyList<string> Defaults =
    [
        // editors
        "vim",
        "nvim",
        "vi",
        "emacs",
        "emacsclient",
        "nano",
        "micro",
        "hx",
        "helix",
        "kak",
        "code",
        "code-insiders",
        "codium",
        "cursor",
        "windsurf",
        "zed",
        "subl",
        "sublime_text",
        "idea",
        "pycharm",
        "webstorm",
        "goland",
        "rider",
        "clion",
        "studio",
        "fleet",
        // language servers
        "pyright",
        "pyright-langserver",
        "basedpyright",
        "pylsp",
        "jedi-language-server",
        "ruff-lsp",
        "rust-analyzer",
        "gopls",
        "clangd",
        "ccls",
        "typescript-language-server",
        "tsserver",
        "vtsls",
        "jdtls",
        "omnisharp",
        "OmniSharp",
        "csharp-ls",
        "Microsoft.CodeAnalysis.LanguageServer",
        "lua-language-server",
        "bash-language-server",
        "yaml-language-server",
        "vscode-json-language-server",
        "sourcekit-lsp",
        "zls",
        "haskell-language-server",
        "elixir-ls",
        "solargraph",
        "metals",
        // agent CLIs
        "claude",
        "codex",
        "aider",
        "gemini",
        "cursor-agent",
        "copilot",
        "goose",
        "amp",
        "opencode",
        "cline",
        // sessions the user is sitting in
        "tmux",
        "screen",
        "zellij",
        "sshd",
        "ssh",
        "mosh-server",
        "systemd",
        "login",
        // browsers (a real profile: see IsThrowawayBrowser for the headless/test ones that are fair game)
        "firefox",
        "firefox-esr",
        "chrome",
        "google-chrome",
        "google-chrome-stable",
        "chromium",
        "chromium-browser",
        "brave",
        "brave-browser",
        "msedge",
        "microsoft-edge",
        "opera",
        "vivaldi",
        "Safari",
    ];

    static readonly HashSet<string> Browsers =
    [
        "firefox",
        "firefox-esr",
        "chrome",
        "google-chrome",
        "google-chrome-stable",
        "chromium",
        "chromium-browser",
        "brave",
        "brave-browser",
        "msedge",
        "microsoft-edge",
        "opera",
        "vivaldi",
    ];

    static readonly HashSet<string> Interpreters = ["node", "bun", "deno", "python", "python3"];

    readonly HashSet<string> _names;

    public ProtectedProcesses(IEnumerable<string> extra)
    {
        _names = [.. Defaults, .. extra.Select(e => e.Trim()).Where(e => e.Length > 0)];
    }

    /// <summary>Parses <c>cleanup.protect</c>: names separated by commas (or whitespace).</summary>
    public static ProtectedProcesses FromSetting(string? value) =>
        new((value ?? "").Split([',', ' ', '\t', '\n'], StringSplitOptions.RemoveEmptyEntries));

    /// <summary>The protected name this process matches, or null.</summary>
    public string? Match(ProcessDetails p, string shortName)
    {
        foreach (var candidate in Names(p, shortName))
        {
            if (_names.Contains(candidate))
            {
                return Browsers.Contains(candidate) && IsThrowawayBrowser(p.Argv)
                    ? null
                    : candidate;
            }
        }

        return null;
    }

    static IEnumerable<string> Names(ProcessDetails p, string shortName)
    {
        yield return shortName;
        if (p.Argv.Count == 0)
        {
            yield break;
        }

        var exe = p.ExecutableName;
        yield return exe;
        var stem = Interpreters.FirstOrDefault(i =>
            exe == i || exe.StartsWith(i + ".", StringComparison.Ordinal)
        );
        if (stem is not null)
        {
            var script = p.Argv.Skip(1).FirstOrDefault(a => !a.StartsWith('-'));
            if (script is not null)
            {
                var name = Path.GetFileName(script);
                yield return name;
                yield return Path.GetFileNameWithoutExtension(name);
            }
        }
    }

    /// <summary>A browser a test runner started: headless, or with a throwaway profile in a temporary folder.</summary>
    static bool IsThrowawayBrowser(IReadOnlyList<string> argv)
    {
        var tmp = Path.GetTempPath().TrimEnd('/');
        return argv.Any(a =>
            a.StartsWith("--headless", StringComparison.Ordinal)
            || (
                a.StartsWith("--user-data-dir=", StringComparison.Ordinal)
                && (
                    a.Contains("/tmp/", StringComparison.Ordinal)
                    || a.Contains(tmp + "/", StringComparison.Ordinal)
                )
            )
        );
    }
}
