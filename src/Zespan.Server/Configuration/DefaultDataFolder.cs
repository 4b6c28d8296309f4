namespace Zespan.Server.Configuration;

/// <summary>
/// Where the data lives when ZESPAN_DATA is not set: ".zespan-data" at the root of the Zespan checkout the binary was
/// built in (found by its Zespan.slnx), else under the current directory. So `dotnet run --project src/Zespan.Server`,
/// the built server in artifacts/ and `scripts/zespan keys list` share one folder whichever directory they run from.
/// </summary>
public static class DefaultDataFolder
{
    public const string FolderName = ".zespan-data";
    private const string RepositoryMarker = "Zespan.slnx";

    public static string Resolve() => Resolve(AppContext.BaseDirectory, Environment.CurrentDirectory);

    /// <summary>The checkout holding <paramref name="binaryDirectory"/>, else the one holding the current directory, else the current directory.</summary>
    public static string Resolve(string binaryDirectory, string currentDirectory)
    {
        var root = RepositoryRoot(binaryDirectory) ?? RepositoryRoot(currentDirectory) ?? currentDirectory;
        return Path.Combine(Path.GetFullPath(root), FolderName);
    }

    private static string? RepositoryRoot(string start)
    {
        for (var directory = new DirectoryInfo(start); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, RepositoryMarker)))
                return directory.FullName;
        }
        return null;
    }
}
