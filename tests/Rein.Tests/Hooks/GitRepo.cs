using System.Diagnostics;
using Rein.Tests.Support;

namespace Rein.Tests.Hooks;

/// <summary>A real git repository in a temporary directory whose name has spaces and quotes (the shim must quote
/// every path), with an isolated git configuration and rein state directory.</summary>
internal sealed class GitRepo
{
    public GitRepo(string name)
    {
        Root = Path.Combine(
            Directory.CreateTempSubdirectory($"rein-hook-{name}-").FullName,
            "it's a \"repo\" $HOME"
        );
        Directory.CreateDirectory(Root);
        StateHome = Directory.CreateTempSubdirectory("rein-hook-state-").FullName;
        MustGit("init", "-q", ".");
    }

    public string Root { get; }

    public string StateHome { get; }

    public string HooksDir => Path.Combine(Root, ".git", "hooks");

    /// <summary>Writes an executable hook script.</summary>
    public string WriteHook(string name, string script, string? directory = null)
    {
        var dir = directory ?? HooksDir;
        Directory.CreateDirectory(dir);
        var path = Path.Combine(dir, name);
        File.WriteAllText(path, script);
        File.SetUnixFileMode(path, (UnixFileMode)0b111_101_101);
        return path;
    }

    public RunResult Rein(params string[] args) =>
        ReinProcess.Run(args, Env(), workingDirectory: Root);

    /// <summary>Stages a new file and commits it; returns git's exit code, stderr and how long it took.</summary>
    public RunResult Commit(
        IReadOnlyList<string>? wrapper = null,
        IDictionary<string, string?>? env = null
    )
    {
        var file = Path.Combine(Root, $"f-{Guid.NewGuid():N}");
        File.WriteAllText(file, "x\n");
        MustGit("add", Path.GetFileName(file));
        return Git(
            [
                .. wrapper ?? [],
                "git",
                "-c",
                "user.email=t@example.com",
                "-c",
                "user.name=t",
                "commit",
                "-q",
                "-m",
                "message",
            ],
            env
        );
    }

    public void MustGit(params string[] args)
    {
        var r = Git(["git", .. args]);
        Assert.True(r.ExitCode == 0, $"git {string.Join(' ', args)}: {r.Stderr}");
    }

    public Dictionary<string, string?> Env(IDictionary<string, string?>? more = null)
    {
        var env = new Dictionary<string, string?>
        {
            ["REIN_HOME"] = StateHome,
            ["GIT_CONFIG_GLOBAL"] = "/dev/null",
            ["GIT_CONFIG_NOSYSTEM"] = "1",
        };
        foreach (var (k, v) in more ?? new Dictionary<string, string?>())
        {
            env[k] = v;
        }

        return env;
    }

    RunResult Git(IReadOnlyList<string> argv, IDictionary<string, string?>? env = null)
    {
        var psi = new ProcessStartInfo(argv[0])
        {
            WorkingDirectory = Root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var a in argv.Skip(1))
        {
            psi.ArgumentList.Add(a);
        }

        foreach (
            var key in psi
                .Environment.Keys.Where(k => k.StartsWith("REIN_", StringComparison.Ordinal))
                .ToList()
        )
        {
            psi.Environment.Remove(key);
        }

        psi.Environment["REIN_CONFIG"] = "/nonexistent/rein.toml";
        foreach (var (k, v) in Env(env))
        {
            psi.Environment[k] = v;
        }

        var clock = Stopwatch.StartNew();
        using var p = Process.Start(psi)!;
        p.StandardInput.Close();
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(120_000))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"{string.Join(' ', argv)} did not finish");
        }

        var elapsed = clock.Elapsed;
        return new RunResult(p.ExitCode, stdout.Result, stderr.Result, elapsed);
    }
}
