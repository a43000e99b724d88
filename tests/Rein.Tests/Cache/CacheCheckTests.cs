using System.Text.Json;
using Rein.Tests.Support;

namespace Rein.Tests.Cache;

/// <summary>rein cache check against real cache layouts built in a temporary folder (the hub's snapshots → blobs
/// links included): complete, missing weights, missing config, empty snapshot, dangling blob link.</summary>
public sealed class CacheCheckTests : IDisposable
{
    readonly string _root = Directory.CreateTempSubdirectory("rein-cache-").FullName;

    string Hub => Path.Combine(_root, "hub");

    /// <summary>A hub repo with one snapshot whose files are links into blobs/, as huggingface_hub lays it out.</summary>
    string Snapshot(string repo, string commit, params (string Name, string? Content)[] files)
    {
        var dir = Path.Combine(Hub, "models--" + repo.Replace("/", "--"));
        var snap = Path.Combine(dir, "snapshots", commit);
        Directory.CreateDirectory(snap);
        Directory.CreateDirectory(Path.Combine(dir, "blobs"));
        Directory.CreateDirectory(Path.Combine(dir, "refs"));
        File.WriteAllText(Path.Combine(dir, "refs", "main"), commit);
        foreach (var (name, content) in files)
        {
            var blob = Path.Combine(dir, "blobs", Guid.NewGuid().ToString("N"));
            if (content is not null)
            {
                File.WriteAllText(blob, content);
            }

            File.CreateSymbolicLink(
                Path.Combine(snap, name),
                Path.Combine("..", "..", "blobs", Path.GetFileName(blob))
            );
        }

        return snap;
    }

    RunResult Check(params string[] args) =>
        ReinProcess.Run(
            ["cache", "check", "--hf-cache", Hub, .. args],
            new Dictionary<string, string?>
            {
                ["WHISPER_CACHE_DIR"] = Path.Combine(_root, "whisper"),
            }
        );

    static JsonElement Result(RunResult r, int i)
    {
        var doc = JsonDocument.Parse(r.Stdout).RootElement;
        Assert.Equal("rein.cache/1", doc.GetProperty("schema").GetString());
        return doc.GetProperty("results")[i];
    }

    [Fact]
    public void A_complete_snapshot_is_cached_and_says_what_it_found()
    {
        Snapshot("org/good", "abc123", ("config.json", "{}"), ("model.safetensors", "weights"));
        var r = Check("hf:org/good", "hf:org/good@main", "hf:org/good@abc123");
        Assert.Equal(0, r.ExitCode);
        Assert.Contains(
            "cached   hf:org/good: snapshot abc123: config.json and 1 weight file(s) (model.safetensors)",
            r.Stdout
        );
    }

    [Theory]
    [InlineData("no-weights", "no weights")]
    [InlineData("no-config", "config.json missing")]
    [InlineData("dangling", "dangling link")]
    [InlineData("empty-blob", "is empty")]
    public void An_incomplete_snapshot_is_not_cached_and_says_what_is_missing(
        string layout,
        string missing
    )
    {
        _ = layout switch
        {
            "no-weights" => Snapshot("org/m", "c1", ("config.json", "{}")),
            "no-config" => Snapshot("org/m", "c1", ("pytorch_model.bin", "w")),
            "dangling" => Snapshot(
                "org/m",
                "c1",
                ("config.json", "{}"),
                ("model.safetensors", null)
            ),
            _ => Snapshot("org/m", "c1", ("config.json", "{}"), ("model.safetensors", "")),
        };
        var r = Check("--json", "hf:org/m");
        Assert.Equal(1, r.ExitCode);
        var result = Result(r, 0);
        Assert.False(result.GetProperty("cached").GetBoolean());
        Assert.Contains(missing, result.GetProperty("missing").GetString());
    }

    [Fact]
    public void An_empty_snapshots_folder_or_an_unknown_revision_is_not_cached()
    {
        Directory.CreateDirectory(Path.Combine(Hub, "models--org--empty", "snapshots"));
        Snapshot("org/good", "abc123", ("config.json", "{}"), ("model.safetensors", "weights"));
        var r = Check("hf:org/empty", "hf:org/good@v2", "hf:org/absent");
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("missing  hf:org/empty: no snapshot downloaded", r.Stdout);
        Assert.Contains("missing  hf:org/good@v2: no snapshot v2", r.Stdout);
        Assert.Contains("missing  hf:org/absent: not downloaded", r.Stdout);
    }

    [Fact]
    public void Whisper_needs_a_non_empty_pt_file_and_spacy_a_package_with_meta_json()
    {
        var whisper = Path.Combine(_root, "whisper");
        Directory.CreateDirectory(whisper);
        File.WriteAllText(Path.Combine(whisper, "small.pt"), "w");
        File.WriteAllText(Path.Combine(whisper, "tiny.pt"), "");
        var site = Path.Combine(_root, "site-packages");
        Directory.CreateDirectory(Path.Combine(site, "en_core_web_sm"));
        File.WriteAllText(Path.Combine(site, "en_core_web_sm", "meta.json"), "{}");
        Directory.CreateDirectory(Path.Combine(site, "de_core_news_sm"));

        Assert.Equal(
            0,
            Check("whisper:small", "--site-packages", site, "spacy:en_core_web_sm").ExitCode
        );
        var r = Check(
            "whisper:tiny",
            "whisper:base",
            "--site-packages",
            site,
            "spacy:de_core_news_sm"
        );
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("missing  whisper:tiny: tiny.pt is empty", r.Stdout);
        Assert.Contains("missing  whisper:base: base.pt missing", r.Stdout);
        Assert.Contains("missing  spacy:de_core_news_sm: no de_core_news_sm/meta.json", r.Stdout);
    }

    [Theory]
    [InlineData("hf:noslash")]
    [InlineData("hf:org/../etc")]
    [InlineData("gguf:x")]
    [InlineData("spacy:en_core_web_sm")]
    public void A_bad_spec_is_one_line_and_exit_2(string spec)
    {
        var r = Check(spec);
        Assert.Equal(2, r.ExitCode);
        Assert.StartsWith("rein cache check:", r.Stderr);
        Assert.Single(r.Stderr.Trim().Split('\n'));
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);
}
