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
    private readonly string _folder;
    private Process? _process;

    private SmtpSink(string folder, int port)
    {
        _folder = folder;
        Port = port;
    }

    public int Port { get; }

    public static async Task<SmtpSink> StartAsync()
    {
        if (!File.Exists(Binary)) throw new InvalidOperationException($"{Binary} is missing: install Debian's postfix package (scripts/test.sh does).");
        var folder = Directory.CreateTempSubdirectory("winback-smtp-").FullName;
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(folder, (UnixFileMode)0b111_111_111);
        var sink = new SmtpSink(folder, PostgresServer.FreePort());
        await sink.StartAgainAsync();
        return sink;
    }

    /// <summary>The mail server goes down: connections to <see cref="Port"/> are refused until <see cref="StartAgainAsync"/>.</summary>
    public void Stop()
    {
        if (_process is null) return;
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill();
                _process.WaitForExit();
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
        _process.Dispose();
        _process = null;
    }

    /// <summary>The mail server comes back on the same port, keeping the messages it received before.</summary>
    public async Task StartAgainAsync()
    {
        Stop();
        var arguments = new List<string>();
        // As root, smtp-sink drops to an unprivileged user after binding (it refuses to run as root otherwise).
        if (Environment.UserName == "root") arguments.AddRange(["-u", "nobody"]);
        arguments.AddRange(["-d", Path.Combine(_folder, "%M."), $"127.0.0.1:{Port}", "100"]);
        _process = Process.Start(new ProcessStartInfo(Binary, arguments) { RedirectStandardError = true, RedirectStandardOutput = true })!;
        for (var attempt = 0; attempt < 50; attempt++)
        {
            try
            {
                using var probe = new System.Net.Sockets.TcpClient();
                await probe.ConnectAsync("127.0.0.1", Port);
                return;
            }
            catch (System.Net.Sockets.SocketException)
            {
                await Task.Delay(50);
            }
        }
        Stop();
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
        Stop();
        Directory.Delete(_folder, recursive: true);
    }
}
