using System.Diagnostics;
using Rein.Tests.Support;

namespace Rein.Tests.Packaging;

/// <summary>rein is one file on Linux (issue 22): SQLite is linked in, so the binary copied alone into an empty
/// private folder runs guarded commands and reads its journal with nothing beside it.</summary>
public sealed class OneFileTests : IDisposable
{
    readonly string _dir = Directory.CreateTempSubdirectory("rein-alone-").FullName;

    /// <summary>Skips only where build.sh had no static SQLite to link (it asks the C compiler for libsqlite3.a, as
    /// this does): where there is one, a build that left SQLite beside the binary fails these tests.</summary>
    static void RequireStaticSqliteBuild()
    {
        Assert.SkipUnless(
            OperatingSystem.IsLinux(),
            "Linux: macOS keeps libe_sqlite3.dylib beside the binary"
        );
        var psi = new ProcessStartInfo("cc", ["-print-file-name=libsqlite3.a"])
        {
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        using var cc = Process.Start(psi)!;
        var archive = cc.StandardOutput.ReadToEnd().Trim();
        cc.WaitForExit();
        Assert.SkipUnless(
            Path.IsPathRooted(archive) && File.Exists(archive),
            "no libsqlite3.a for build.sh to link (apt-get install libsqlite3-dev)"
        );
    }

    [Fact]
    public void The_binary_copied_alone_runs_and_keeps_its_journal()
    {
        RequireStaticSqliteBuild();
        File.SetUnixFileMode(_dir, (UnixFileMode)0x1C0); // 0700
        var rein = Path.Combine(_dir, "rein");
        File.Copy(Paths.Rein, rein);
        File.SetUnixFileMode(rein, (UnixFileMode)0x1ED);

        var marker = TestMarker.New("alone");
        var run = Run(rein, "run", "--", "sh", "-c", $"echo {marker}");
        var journal = Run(rein, "journal", "--last", "1", "--json");

        Assert.True(run.Exit == 0, $"exit {run.Exit}: {run.Stderr}");
        Assert.Equal(marker + "\n", run.Stdout);
        Assert.True(journal.Exit == 0, $"exit {journal.Exit}: {journal.Stderr}");
        Assert.Contains(marker, journal.Stdout);
        Assert.Equal(
            ["rein", "state"],
            Directory.GetFileSystemEntries(_dir).Select(Path.GetFileName).Order()
        );
    }

    [Fact]
    public void The_binary_needs_no_sqlite_library_at_run_time()
    {
        RequireStaticSqliteBuild();
        Assert.SkipUnless(File.Exists("/usr/bin/readelf"), "needs readelf (binutils)");
        var needed = Run("/usr/bin/readelf", "-d", Paths.Rein);

        Assert.Equal(0, needed.Exit);
        Assert.Contains("(NEEDED)", needed.Stdout);
        Assert.DoesNotContain("sqlite", needed.Stdout, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>Runs with a bare environment: no REIN_BIN, no library path, the state folder inside the copy's folder.</summary>
    (int Exit, string Stdout, string Stderr) Run(string program, params string[] args)
    {
        var psi = new ProcessStartInfo(program, args)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = _dir,
        };
        psi.Environment.Clear();
        psi.Environment["PATH"] = "/usr/bin:/bin";
        psi.Environment["HOME"] = _dir;
        psi.Environment["REIN_HOME"] = Path.Combine(_dir, "state");
        psi.Environment["REIN_CONFIG"] = "/nonexistent/rein.toml";
        using var p = Process.Start(psi)!;
        var stderr = p.StandardError.ReadToEndAsync();
        var stdout = p.StandardOutput.ReadToEnd();
        Assert.True(p.WaitForExit(30_000));
        return (p.ExitCode, stdout, stderr.Result);
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
