using Rein.Config;
using Rein.Models;

namespace Rein.Tests.Models;

public sealed class KnownPanicRegistryTests : IDisposable
{
    readonly string _dir = Directory.CreateTempSubdirectory("rein-registry-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Theory]
    [InlineData("mlx-community/gemma-4-31b-it-8bit", true)]
    [InlineData("MLX-COMMUNITY/GEMMA-4-31B-IT-8BIT", true)] // hub ids are case-insensitive
    [InlineData("mlx-community/gemma-4-31b-it-4bit", false)] // exact ids only: a sibling has no record
    [InlineData("mlx-community/gemma-4-31b-it", false)]
    [InlineData("unsloth/gemma-4-e4b-it", false)]
    public void Built_in_lookup_is_exact_and_case_insensitive(string id, bool listed) =>
        Assert.Equal(listed, KnownPanicRegistry.BuiltIn.Lookup(id) is not null);

    [Fact]
    public void The_built_in_entry_carries_the_signature_and_safer_alternatives()
    {
        var e = KnownPanicRegistry.BuiltIn.Lookup("mlx-community/gemma-4-31b-it-8bit")!;
        Assert.Equal("IOGPUMemory.cpp:492 completeMemory() prepare count underflow", e.Signature);
        Assert.Contains("twice, 24 hours apart", e.What);
        Assert.Contains(e.Alternatives, a => a.Contains("llama.cpp", StringComparison.Ordinal));
        Assert.Contains(
            e.Alternatives,
            a => a.Contains("mixture-of-experts", StringComparison.Ordinal)
        );
        Assert.Equal("built-in", e.Source);
    }

    EffectiveConfig WithUserFile(string toml)
    {
        var file = Path.Combine(_dir, "rein.toml");
        File.WriteAllText(file, toml);
        return EffectiveConfig.Load(
            new Dictionary<string, (string, string)>(),
            _ => null,
            _dir,
            file
        );
    }

    [Fact]
    public void Rein_toml_extends_the_registry_and_replaces_entries_by_id()
    {
        var config = WithUserFile(
            """
            [[models.known_panic]]
            id = "acme/bad-model-7b"
            what = "froze the GPU"
            alternatives = ["acme/good-model-7b"]

            [[models.known_panic]]
            id = "mlx-community/gemma-4-31b-it-8bit"
            what = "our own note"
            """
        );
        var registry = KnownPanicRegistry.FromConfig(config);
        Assert.Equal("froze the GPU", registry.Lookup("ACME/bad-model-7b")!.What);
        Assert.Equal(["acme/good-model-7b"], registry.Lookup("acme/bad-model-7b")!.Alternatives);
        var replaced = registry.Lookup("mlx-community/gemma-4-31b-it-8bit")!;
        Assert.Equal("our own note", replaced.What);
        Assert.EndsWith("rein.toml", replaced.Source);
    }

    [Fact]
    public void An_entry_without_what_or_with_an_unknown_field_fails_naming_the_file()
    {
        var missing = Assert.Throws<ConfigException>(() =>
            KnownPanicRegistry.FromConfig(WithUserFile("[[models.known_panic]]\nid = \"a/b\"\n"))
        );
        Assert.Contains("rein.toml", missing.Message);
        Assert.Contains("'what'", missing.Message);
        var typo = Assert.Throws<ConfigException>(() =>
            KnownPanicRegistry.FromConfig(
                WithUserFile(
                    "[[models.known_panic]]\nid = \"a/b\"\nwhat = \"x\"\nsignatur = \"y\"\n"
                )
            )
        );
        Assert.Contains("'signatur'", typo.Message);
    }
}
