using YamlDotNet.Core;
using YamlDotNet.Serialization;

namespace WinBack.Web.Tests.Deployment;

/// <summary>The repository's docker-compose.yml as Compose reads it (YAML merge keys applied): each service's image, environment and volumes.</summary>
internal sealed class ComposeFile(Dictionary<string, Dictionary<string, object>> services)
{
    public static string Path => System.IO.Path.Combine(Repository.Root(), "docker-compose.yml");

    public static ComposeFile Load()
    {
        using var reader = new StringReader(File.ReadAllText(Path));
        var document = new DeserializerBuilder().Build().Deserialize<Dictionary<string, object>>(new MergingParser(new Parser(reader)));
        var services = ((Dictionary<object, object>)document["services"]).ToDictionary(
            s => (string)s.Key, s => ((Dictionary<object, object>)s.Value).ToDictionary(p => (string)p.Key, p => p.Value));
        return new ComposeFile(services);
    }

    public IEnumerable<string> ServicesOfImage(string image) => services.Where(s => s.Value.GetValueOrDefault("image") as string == image).Select(s => s.Key);

    public Dictionary<string, string> Environment(string service) =>
        services[service].GetValueOrDefault("environment") is Dictionary<object, object> environment
            ? environment.ToDictionary(e => (string)e.Key, e => e.Value?.ToString() ?? "")
            : [];

    /// <summary>The service's named volumes: volume name → where it is mounted in the container.</summary>
    public Dictionary<string, string> Volumes(string service) =>
        services[service].GetValueOrDefault("volumes") is List<object> volumes
            ? volumes.Select(v => ((string)v).Split(':')).ToDictionary(parts => parts[0], parts => parts[1])
            : [];
}
