using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace WinBack.SheetsSimulator;

/// <summary>A service account's JSON key file in Google's format (type, client_email, private_key, …), read or created.</summary>
public static class ServiceAccountKeyFile
{
    /// <summary>Registers the account of the key file at <paramref name="path"/>, first writing a new one for <paramref name="email"/> when there is none.</summary>
    /// <returns>The account's email.</returns>
    public static string LoadOrCreate(SheetsStore store, string path, string email)
    {
        if (!File.Exists(path))
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
            var created = new JsonObject
            {
                ["type"] = "service_account",
                ["project_id"] = email.Split('@').ElementAtOrDefault(1)?.Split('.')[0] ?? "winback-demo",
                ["private_key_id"] = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(20)),
                ["private_key"] = store.CreateServiceAccount(email),
                ["client_email"] = email,
                ["client_id"] = string.Concat(RandomNumberGenerator.GetItems("0123456789".AsSpan(), 21)),
                ["token_uri"] = "https://oauth2.googleapis.com/token",
            };
            File.WriteAllText(path, created.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
            return email;
        }
        using var key = JsonDocument.Parse(File.ReadAllText(path));
        var account = key.RootElement.GetProperty("client_email").GetString()!;
        store.AddServiceAccount(account, key.RootElement.GetProperty("private_key").GetString()!);
        return account;
    }
}
