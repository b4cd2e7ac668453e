namespace WinBack.Web.Tests;

/// <summary>The checked-out repository the tests run from (for files such as shopify.app.toml and docker-compose.yml).</summary>
internal static class Repository
{
    public static string Root()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "WinBack.sln"))) directory = directory.Parent;
        return directory?.FullName ?? throw new DirectoryNotFoundException("WinBack.sln not found above the test binaries.");
    }
}
