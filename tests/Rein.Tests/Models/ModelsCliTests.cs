using System.Text.Json;
using Rein.Tests.Running;
using Rein.Tests.Support;

namespace Rein.Tests.Models;

/// <summary>The known-panic registry and the fit check through the real binary.</summary>
public sealed class ModelsCliTests : RunTestBase
{
    const string Listed = "mlx-community/gemma-4-31b-it-8bit";

    static JsonElement Json(RunResult r) => JsonDocument.Parse(r.Stdout).RootElement;

    [Fact]
    public void Models_check_exits_1_for_a_listed_model_and_0_otherwise()
    {
        var listed = ReinProcess.Run(["models", "check", Listed], HomeEnv());
        Assert.Equal(1, listed.ExitCode);
        Assert.Contains(
            "IOGPUMemory.cpp:492 completeMemory() prepare count underflow",
            listed.Stdout
        );
        Assert.Contains("llama.cpp", listed.Stdout);

        var json = ReinProcess.Run(
            ["models", "check", Listed.ToUpperInvariant(), "--json"],
            HomeEnv()
        );
        Assert.Equal(1, json.ExitCode);
        Assert.True(Json(json).GetProperty("listed").GetBoolean());
        Assert.Equal(
            2,
            Json(json).GetProperty("entry").GetProperty("alternatives").GetArrayLength()
        );

        var clean = ReinProcess.Run(
            ["models", "check", "unsloth/gemma-4-e4b-it", "--json"],
            HomeEnv()
        );
        Assert.Equal(0, clean.ExitCode);
        Assert.False(Json(clean).GetProperty("listed").GetBoolean());
    }

    [Fact]
    public void A_repository_rein_toml_extends_the_registry()
    {
        File.WriteAllText(
            Path.Combine(Scratch, "rein.toml"),
            "[[models.known_panic]]\nid = \"acme/bad-7b\"\nwhat = \"froze the GPU\"\n"
        );
        var r = ReinProcess.Run(
            ["models", "check", "acme/bad-7b"],
            HomeEnv(),
            workingDirectory: Scratch
        );
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("froze the GPU", r.Stdout);
        Assert.Contains(Path.Combine(Scratch, "rein.toml"), r.Stdout);
    }

    [Fact]
    public void A_run_of_a_listed_model_warns_once_and_goes_on_unless_told_to_block()
    {
        // Waits once at admission (the same model again within 1 s): the gates are asked again, the advisory not.
        var env = HomeEnv(("REIN_SAME_MODEL_INTERVAL", "1s"));
        string[] run = ["run", "--model", Listed, "--no-fit-check", "--wait", "20s", "--", "true"];
        Assert.Equal(0, ReinProcess.Run(run, env).ExitCode);
        var second = ReinProcess.Run(run, env);
        Assert.Equal(0, second.ExitCode);
        Assert.Single(
            second.Stderr.Split('\n'),
            l => l.Contains("has a record of kernel panics", StringComparison.Ordinal)
        );
        Assert.Contains("--on-known-panic block", second.Stderr);

        var blocked = ReinProcess.Run(
            ["run", "--model", Listed, "--no-fit-check", "--on-known-panic", "block", "--", "true"],
            HomeEnv()
        );
        Assert.Equal(75, blocked.ExitCode);
        Assert.Contains("Not started (--on-known-panic block)", blocked.Stderr);
        var journal = Json(ReinProcess.Run(["journal", "--json"], HomeEnv()));
        var refusal = journal.GetProperty("runs")[0].GetProperty("refusal");
        Assert.Equal("known_panic", refusal.GetProperty("code").GetString());
        Assert.False(refusal.GetProperty("waitable").GetBoolean()); // waiting does not make a model safer

        var bad = ReinProcess.Run(
            ["run", "--model", Listed, "--on-known-panic", "maybe", "--", "true"],
            HomeEnv()
        );
        Assert.Equal(125, bad.ExitCode);
        Assert.Contains("flag --on-known-panic", bad.Stderr);
    }

    [Fact]
    public void A_model_that_cannot_fit_is_refused_unless_the_check_is_off()
    {
        var huge = $"test-org/{Marker[^8..]}-100000b-bf16"; // 100,000 billion parameters: 200 TB
        var r = ReinProcess.Run(["run", "--model", huge, "--", "true"], HomeEnv());
        Assert.Equal(75, r.ExitCode);
        Assert.Contains("100000b × 2 byte (bf16)", r.Stderr);
        Assert.Contains("--no-fit-check", r.Stderr);
        var refusal = Json(ReinProcess.Run(["journal", "--json"], HomeEnv()))
            .GetProperty("runs")[0]
            .GetProperty("refusal");
        Assert.Equal("model_does_not_fit", refusal.GetProperty("code").GetString());
        Assert.Equal(2e14, refusal.GetProperty("numbers").GetProperty("needed_bytes").GetDouble());

        Assert.Equal(
            0,
            ReinProcess
                .Run(["run", "--model", huge, "--no-fit-check", "--", "true"], HomeEnv())
                .ExitCode
        );
        var offByEnv = ReinProcess.Run(
            ["run", "--model", huge + "-2", "--", "true"],
            HomeEnv(("REIN_FIT_CHECK", "false"))
        );
        Assert.Equal(0, offByEnv.ExitCode);

        // A declared size overrides the estimate: a small id declared huge is refused, and the reverse passes.
        var declared = ReinProcess.Run(
            [
                "run",
                "--model",
                $"test-org/{Marker[^8..]}-small",
                "--model-size",
                "1000T",
                "--",
                "true",
            ],
            HomeEnv()
        );
        Assert.Equal(75, declared.ExitCode);
        Assert.Contains("(--model-size)", declared.Stderr);
        Assert.Equal(
            0,
            ReinProcess
                .Run(
                    [
                        "run",
                        "--model",
                        $"test-org/{Marker[^8..]}-2-100000b",
                        "--model-size",
                        "1G",
                        "--",
                        "true",
                    ],
                    HomeEnv()
                )
                .ExitCode
        );
        var orphan = ReinProcess.Run(["run", "--model-size", "1G", "--", "true"], HomeEnv());
        Assert.Equal(125, orphan.ExitCode);
        Assert.Contains("--model-size needs --model", orphan.Stderr);
    }

    [Fact]
    public void Models_estimate_says_how_it_estimated_or_that_it_cannot()
    {
        var known = ReinProcess.Run(["models", "estimate", Listed, "--json"], HomeEnv());
        Assert.Equal(0, known.ExitCode);
        var doc = Json(known);
        Assert.Equal(31e9, doc.GetProperty("parameters").GetDouble());
        Assert.Equal(1.0625, doc.GetProperty("bytes_per_parameter").GetDouble());
        Assert.Equal("name", doc.GetProperty("source").GetString());
        Assert.Equal("8bit", doc.GetProperty("quantisation_token").GetString());
        Assert.Equal(32_937_500_000 + (2L << 30), doc.GetProperty("fit_needs_bytes").GetInt64());

        var human = ReinProcess.Run(["models", "estimate", Listed], HomeEnv());
        Assert.Contains("31B parameters (from '31b') × 1.06", human.Stdout);

        var unknown = ReinProcess.Run(["models", "estimate", "acme/mystery"], HomeEnv());
        Assert.Equal(0, unknown.ExitCode);
        Assert.Contains("unknown", unknown.Stdout);
        Assert.Contains("the fit check passes", unknown.Stdout);
        Assert.Equal(
            0,
            ReinProcess.Run(["run", "--model", "acme/mystery", "--", "true"], HomeEnv()).ExitCode
        );
    }
}
