using System.Diagnostics;
using MimeKit;

namespace WinBack.Testing;

/// <summary>
/// A real SMTP server on loopback: Postfix's smtp-sink (Debian package postfix, which the test command installs), saving
/// every message it accepts as a file. <see cref="Messages"/> reads them back with their envelope recipients.
/// </summary>
public sealed class SmtpSink : IDisposable
{
    public const string Binary = "/usr/sbin/smtp-sink";
    private readonly Process _process;
    private readonly string _folder;

    private SmtpSink(Process process, string folder, int port)
    {
        _process = process;
        _folder = folder;
        Port = port;
    }

    public int Port { get; }

    public static async Task<SmtpSink> StartAsync()
    {
        if (!File.Exists(Binary)) throw new InvalidOperationException($"{Binary} is missing: install Debian's postfix package (scripts/test.sh does).");
        var folder = Directory.CreateTempSubdirectory("winback-smtp-").FullName;
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(folder, (UnixFileMode)0b111_111_111);
        var port = PostgresServer.FreePort();
        var arguments = new List<string>();
        // As root, smtp-sink drops to an unprivileged user after binding (it refuses to run as root otherwise).
        if (Environment.UserName == "root") arguments.AddRange(["-u", "nobody"]);
        arguments.AddRange(["-d", Path.Combine(folder, "%M."), $"127.0.0.1:{port}", "100"]);
        var process = Process.Start(new ProcessStartInfo(Binary, arguments) { RedirectStandardError = true, RedirectStandardOutput = true })!;
        var sink = new SmtpSink(process, folder, port);
        for (var attempt = 0; attempt < 50; attempt++)
        {
            try
            {
                using var probe = new System.Net.Sockets.TcpClient();
                await probe.ConnectAsync("127.0.0.1", port);
                return sink;
            }
            catch (System.Net.Sockets.SocketException)
            {
                await Task.Delay(50);
            }
        }
        sink.Dispose();
        throw new InvalidOperationException("smtp-sink did not start listening.");
    }

    public sealed record Received(IReadOnlyList<string> EnvelopeRecipients, MimeMessage Message);

    /// <summary>Every message received so far, oldest first.</summary>
    public IReadOnlyList<Received> Messages() =>
        new DirectoryInfo(_folder).GetFiles().OrderBy(f => f.LastWriteTimeUtc).ThenBy(f => f.Name).Select(file =>
        {
            using var stream = file.OpenRead();
            var message = MimeMessage.Load(stream);
            var recipients = message.Headers.Where(h => h.Field == "X-Rcpt-Args").Select(h => h.Value.Trim().TrimStart('<').Split('>')[0]).ToList();
            return new Received(recipients, message);
        }).ToList();

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited) _process.Kill();
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
        _process.Dispose();
        Directory.Delete(_folder, recursive: true);
    }
}
