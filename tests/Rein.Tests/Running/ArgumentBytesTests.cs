using System.Text;
using Rein.Platform.Posix;
using Rein.Running;
using Rein.Tests.Support;

namespace Rein.Tests.Running;

/// <summary>Arguments and environment reach the command byte for byte, whatever the bytes (issue 19 item 2): the
/// caller is a shell (tests cannot hand raw bytes to a process through .NET, which encodes arguments as UTF-8), the
/// command is the test helper writing its argv and environ as raw bytes.</summary>
public sealed class ArgumentBytesTests : RunTestBase
{
    /// <summary>Latin-1 é, a lone 0xff, a truncated sequence, a UTF-8-encoded surrogate, valid UTF-8 (é and an
    /// emoji), a quote and a control byte: as printf(1) octal escapes.</summary>
    static readonly string[] Printf =
    [
        "caf\\351",
        "\\377",
        "a\\303",
        "\\355\\240\\200",
        "\\303\\251\\360\\237\\230\\200",
        "it\\047s\\033[31m",
    ];

    static readonly byte[][] Expected =
    [
        [.. "caf"u8, 0xe9],
        [0xff],
        [(byte)'a', 0xc3],
        [0xed, 0xa0, 0x80],
        [0xc3, 0xa9, 0xf0, 0x9f, 0x98, 0x80],
        [.. "it's"u8, 0x1b, .. "[31m"u8],
    ];

    string Dump => Path.Combine(Scratch, "dump");

    /// <summary>`sh -c` that appends the raw arguments (and a raw variable) to rein's own arguments.</summary>
    IReadOnlyList<string> Shell() =>
        [
            "/bin/sh",
            "-c",
            "exec env \"$(printf 'REIN_T_\\351=v\\377')\" REIN_T_PLAIN=caf\"$(printf '\\351')\" \"$0\" \"$@\" "
                + string.Join(' ', Printf.Select(p => $"\"$(printf '{p}')\"")),
        ];

    static List<byte[]> Entries(string file) =>
        [
            .. File.ReadAllBytes(file)
                .Aggregate(
                    new List<List<byte>> { new() },
                    (acc, b) =>
                    {
                        if (b == 0)
                        {
                            acc.Add([]);
                        }
                        else
                        {
                            acc[^1].Add(b);
                        }

                        return acc;
                    }
                )
                .SkipLast(1)
                .Select(e => e.ToArray()),
        ];

    void AssertPassedThrough(RunResult r)
    {
        Assert.True(r.ExitCode == 0, $"exit {r.ExitCode}: {r.Stderr}");
        var argv = Entries(Dump + ".argv");
        Assert.Equal(Expected.Length, argv.Count - 4); // helper, marker, dumpargs, path
        for (var i = 0; i < Expected.Length; i++)
        {
            Assert.Equal(Convert.ToHexString(Expected[i]), Convert.ToHexString(argv[i + 4]));
        }

        var env = Entries(Dump + ".env").Select(Convert.ToHexString).ToList();
        Assert.Contains(Convert.ToHexString([.. "REIN_T_"u8, 0xe9, .. "=v"u8, 0xff]), env);
        Assert.Contains(Convert.ToHexString([.. "REIN_T_PLAIN=caf"u8, 0xe9]), env);
    }

    [Fact]
    public void Rein_run_passes_every_byte_of_arguments_and_environment()
    {
        AssertPassedThrough(
            ReinProcess.Run(
                ["run", "--", Paths.Helper, Marker, "dumpargs", Dump],
                HomeEnv(),
                wrapper: Shell()
            )
        );
    }

    [Fact]
    public void Rein_timeout_passes_every_byte_of_arguments_and_environment()
    {
        AssertPassedThrough(
            ReinProcess.Run(
                ["timeout", "60", Paths.Helper, Marker, "dumpargs", Dump],
                HomeEnv(),
                wrapper: Shell()
            )
        );
    }

    [Fact]
    public void Rein_supervise_passes_every_byte_of_arguments_and_environment()
    {
        AssertPassedThrough(
            ReinProcess.Run(
                ["supervise", "--max-restarts", "0", "--", Paths.Helper, Marker, "dumpargs", Dump],
                HomeEnv(),
                wrapper: Shell()
            )
        );
    }

    [Fact]
    public void Human_output_shows_a_raw_byte_as_bash_writes_it()
    {
        var r = ReinProcess.Run(
            ["run", "--timeout", "300ms", "--", "sh", "-c", "sleep 5"],
            HomeEnv(),
            wrapper: Shell()
        );

        Assert.Equal(124, r.ExitCode);
        Assert.Contains("`sh -c 'sleep 5' $'caf\\xe9' $'\\xff' $'a\\xc3'", r.Stderr);
        Assert.DoesNotContain("\uFFFD", r.Stderr);
        Assert.DoesNotContain("\u001b", r.Stderr);
    }

    [Fact]
    public async Task A_library_host_passes_bytes_through_OsString()
    {
        var spec = new RunSpec
        {
            Command =
            [
                Paths.Helper,
                Marker,
                "dumpargs",
                Dump,
                .. Expected.Select(b => OsString.FromBytes(b)),
            ],
        };

        var verdict = await new GuardedRun(
            spec,
            new GuardedRunOptions { StateDirectory = Home }
        ).RunAsync(TestContext.Current.CancellationToken);

        Assert.Equal(RunOutcome.Exited, verdict.Outcome);
        var argv = Entries(Dump + ".argv");
        Assert.Equal(
            Expected.Select(Convert.ToHexString),
            argv.Skip(4).Select(Convert.ToHexString)
        );
    }

    [Theory]
    [InlineData("")]
    [InlineData("plain ascii")]
    [InlineData("caf\u00e9 \U0001F600")]
    public void Valid_text_is_unchanged_by_the_round_trip(string text)
    {
        Assert.Equal(text, OsString.FromBytes(Encoding.UTF8.GetBytes(text)));
        Assert.Equal(Encoding.UTF8.GetBytes(text), OsString.ToBytes(text));
    }

    [Fact]
    public void Every_byte_sequence_survives_the_round_trip()
    {
        var random = new Random(19);
        for (var n = 0; n < 2000; n++)
        {
            var bytes = new byte[random.Next(0, 12)];
            random.NextBytes(bytes);
            Assert.Equal(bytes, OsString.ToBytes(OsString.FromBytes(bytes)));
        }

        foreach (var e in Expected)
        {
            Assert.Equal(e, OsString.ToBytes(OsString.FromBytes(e)));
        }
    }
}
