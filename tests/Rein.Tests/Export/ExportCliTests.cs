using System.Text.Json;
using Rein.Tests.Running;
using Rein.Tests.Support;

namespace Rein.Tests.Export;

/// <summary><c>rein export prometheus</c> as a user meets it: real runs, a real journal, the file node_exporter reads.</summary>
public sealed class ExportCliTests : RunTestBase
{
    string TextfileDir => Directory.CreateDirectory(Path.Combine(Scratch, "textfile")).FullName;

    [Fact]
    public void Export_writes_rein_prom_readable_by_node_exporter_and_a_json_summary()
    {
        Assert.Equal(0, ReinProcess.Run(RunArgs([], "exit", "0"), HomeEnv()).ExitCode);
        Assert.Equal(
            124,
            ReinProcess.Run(RunArgs(["--timeout", "300ms"], "hang"), HomeEnv()).ExitCode
        );
        var dir = TextfileDir;

        var r = ReinProcess.Run(["export", "prometheus", "--textfile", dir, "--json"], HomeEnv());

        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.Equal("", r.Stderr);
        var doc = JsonDocument.Parse(r.Stdout).RootElement;
        Assert.Equal("rein.export.prometheus/1", doc.GetProperty("schema").GetString());
        Assert.Equal(2, doc.GetProperty("newly_counted").GetInt32());
        Assert.Equal(1, doc.GetProperty("runs_total").GetProperty("exited").GetInt64());
        Assert.Equal(1, doc.GetProperty("runs_total").GetProperty("timed_out").GetInt64());
        var file = Path.Combine(dir, "rein.prom");
        Assert.Equal(file, doc.GetProperty("file").GetString());
        Assert.Equal(["rein.prom"], Directory.GetFileSystemEntries(dir).Select(Path.GetFileName));
        Assert.Equal((UnixFileMode)0b110_100_100, File.GetUnixFileMode(file)); // 0644: node_exporter is another user
        var text = File.ReadAllText(file);
        Assert.Contains("rein_runs_total{outcome=\"timed_out\"} 1\n", text);
        Assert.DoesNotContain(Marker, text);

        var human = ReinProcess.Run(["export", "prometheus", "--textfile", dir], HomeEnv());
        Assert.Equal(0, human.ExitCode);
        Assert.Equal(
            $"wrote {file}: 36 series\n2 run(s) counted (0 new), 0 alive now\n",
            human.Stdout
        );
    }

    [Fact]
    public void A_missing_folder_or_a_file_is_one_line_and_usage_exit_and_writes_nothing()
    {
        var missing = Path.Combine(Scratch, "no-such-dir");
        var r = ReinProcess.Run(["export", "prometheus", "--textfile", missing], HomeEnv());
        Assert.Equal(2, r.ExitCode);
        Assert.Equal(
            $"rein export prometheus: --textfile {missing}: no such directory\n",
            r.Stderr
        );
        Assert.False(Directory.Exists(missing));

        var file = Path.Combine(Scratch, "a-file");
        File.WriteAllText(file, "x");
        var f = ReinProcess.Run(["export", "prometheus", "--textfile", file], HomeEnv());
        Assert.Equal(2, f.ExitCode);
        Assert.Equal($"rein export prometheus: --textfile {file} is not a directory\n", f.Stderr);
        Assert.Equal("x", File.ReadAllText(file));
    }

    [Fact]
    public void An_unwritable_folder_is_one_line_and_exit_1()
    {
        // root writes anywhere: drop to nobody with setpriv (util-linux) when running as root.
        var dir = TextfileDir;
        File.SetUnixFileMode(
            dir,
            UnixFileMode.UserRead
                | UnixFileMode.UserExecute
                | UnixFileMode.OtherRead
                | UnixFileMode.OtherExecute
        );
        var home = Path.Combine(Scratch, "nobody-home");
        IReadOnlyList<string>? wrapper = null;
        if (Environment.UserName == "root")
        {
            (_, _, wrapper) = OtherUser.Prepare(Scratch);
            Directory.CreateDirectory(home);
            System.Diagnostics.Process.Start("chown", ["nobody", home])!.WaitForExit();
        }

        var r = ReinProcess.Run(
            ["export", "prometheus", "--textfile", dir],
            new Dictionary<string, string?> { ["REIN_HOME"] = wrapper is null ? Home : home },
            wrapper: wrapper
        );

        Assert.True(r.ExitCode == 1, $"exit {r.ExitCode}: {r.Stderr}");
        Assert.Equal(
            $"rein export prometheus: --textfile cannot write {Path.Combine(dir, "rein.prom")}: permission denied\n",
            r.Stderr
        );
        Assert.Empty(Directory.GetFileSystemEntries(dir));
    }
}
