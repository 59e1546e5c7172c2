"""The one PowerShell script that reads every Windows fact, and how it is passed to PowerShell.

It runs on PowerShell 2.0 (Windows 7 SP1, Server 2008 R2) up to 5.1 and 7:
- CIM cmdlets where they exist, `Get-WmiObject` where they do not (PowerShell 2).
- Output is JSON Lines: one object per section, written and flushed as soon as the section is
  read, so when the agent has to stop a hung PowerShell it still keeps every section printed
  before the hang. A section that fails prints `{"errors": {"<section>": "<message>"}}`.
- `ConvertTo-Json` (PowerShell 3+) writes each line; PowerShell 2 has none, so a small
  serialiser (`J`) does. Non-ASCII is escaped as \\uXXXX either way, so the bytes read back do
  not depend on the console code page.
- `Get-MpComputerStatus` fails or stalls while another antivirus has disabled parts of
  Defender (microsoft/CSS-Exchange pull requests 1703 and 2297 guard against exactly that). It runs last, in a second
  runspace of the same process, abandoned after DEFENDER_TIMEOUT_MS: no extra process, and
  every other section is already printed. `[Environment]::Exit` ends the process even if
  that runspace's thread is still stuck.
"""

from __future__ import annotations

import base64

DEFENDER_TIMEOUT_MS = 3000

SCRIPT = r"""
$ErrorActionPreference = 'Stop'
$cim = [bool](Get-Command Get-CimInstance -ErrorAction SilentlyContinue)
$json = [bool](Get-Command ConvertTo-Json -ErrorAction SilentlyContinue)
$inv = [Globalization.CultureInfo]::InvariantCulture
$numbers = 'Byte','SByte','Int16','UInt16','Int32','UInt32','Int64','UInt64','Single','Double','Decimal'
function S([string]$s) {
  $b = New-Object Text.StringBuilder
  [void]$b.Append('"')
  foreach ($c in $s.ToCharArray()) {
    $n = [int]$c
    if ($n -lt 32 -or $n -gt 126 -or $n -eq 34 -or $n -eq 92) { [void]$b.Append('\u' + $n.ToString('x4')) }
    else { [void]$b.Append($c) }
  }
  [void]$b.Append('"')
  $b.ToString()
}
function J($v) {
  if ($null -eq $v) { return 'null' }
  if ($v -is [bool]) { if ($v) { return 'true' } else { return 'false' } }
  if ($v -is [string]) { return (S $v) }
  if ($numbers -contains $v.GetType().Name) { return [string]::Format($inv, '{0}', $v) }
  if ($v -is [datetime]) { return (S $v.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", $inv)) }
  if ($v -is [Collections.IDictionary]) {
    $p = @(foreach ($k in $v.Keys) { (S ([string]$k)) + ':' + (J $v[$k]) })
    return '{' + ($p -join ',') + '}'
  }
  if ($v -is [Collections.IEnumerable]) { $p = @(foreach ($i in $v) { J $i }); return '[' + ($p -join ',') + ']' }
  return (S ([string]$v))
}
function Emit($h) {
  if ($json) {
    $s = ConvertTo-Json -InputObject $h -Depth 6 -Compress
    $s = [regex]::Replace($s, '[^\x20-\x7e]', { param($m) '\u' + ([int][char]$m.Value).ToString('x4') })
  } else { $s = J $h }
  [Console]::Out.WriteLine($s)
  [Console]::Out.Flush()
}
function Section($name, [scriptblock]$body) {
  try { $v = & $body; Emit @{ $name = $v } }
  catch { Emit @{ errors = @{ $name = [string]$_.Exception.Message } } }
}
function Q($ns, $class, $filter) {
  if ($cim) {
    if ($filter) { Get-CimInstance -Namespace $ns -ClassName $class -Filter $filter -OperationTimeoutSec 5 }
    else { Get-CimInstance -Namespace $ns -ClassName $class -OperationTimeoutSec 5 }
  } elseif ($filter) { Get-WmiObject -Namespace $ns -Class $class -Filter $filter }
  else { Get-WmiObject -Namespace $ns -Class $class }
}
function Pick($o, $names) { $h = @{}; foreach ($n in $names) { $h[$n] = $o.$n }; $h }
function Rows($ns, $class, $names, $filter) { @(Q $ns $class $filter | ForEach-Object { Pick $_ $names }) }
function Values($key, $names) {
  if (-not (Test-Path $key)) { return $null }
  $p = Get-ItemProperty $key
  if (-not $names) { $names = @($p.PSObject.Properties | Where-Object { $_.Name -like 'Protection_*' } | ForEach-Object { $_.Name }) }
  Pick $p $names
}
Section 'machine_guid' { (Get-ItemProperty 'HKLM:\SOFTWARE\Microsoft\Cryptography' -Name MachineGuid).MachineGuid }
$os = $null
Section 'os' { $global:os = Q 'root\cimv2' 'Win32_OperatingSystem'; Pick $global:os 'Caption','Version','BuildNumber','ProductType','OperatingSystemSKU' }
Section 'current_version' { Values 'HKLM:\SOFTWARE\Microsoft\Windows NT\CurrentVersion' @('EditionID','DisplayVersion','ReleaseId','UBR','InstallationType') }
Section 'computer' { Pick (Q 'root\cimv2' 'Win32_ComputerSystem') 'Name','DNSHostName','Domain','PartOfDomain','Workgroup','Manufacturer','Model','PCSystemType' }
Section 'bios' { Rows 'root\cimv2' 'Win32_BIOS' @('SerialNumber','Manufacturer') }
Section 'enclosure' { Rows 'root\cimv2' 'Win32_SystemEnclosure' @('ChassisTypes','SerialNumber') }
Section 'memory' { Rows 'root\cimv2' 'Win32_PhysicalMemory' @('Capacity') }
Section 'battery' { @(Q 'root\cimv2' 'Win32_Battery').Count }
$services = @()
Section 'services' { $global:services = Rows 'root\cimv2' 'Win32_Service' @('Name','DisplayName','State','StartMode') "Name LIKE 'AVP%' OR Name LIKE 'kavfs%' OR Name LIKE 'klnagent%' OR Name = 'WinDefend' OR Name LIKE '%bkav%' OR DisplayName LIKE '%Kaspersky%' OR DisplayName LIKE '%Bkav%'"; $global:services }
Section 'uninstall' {
  $found = @()
  foreach ($root in 'HKLM:\SOFTWARE\Microsoft\Windows\CurrentVersion\Uninstall', 'HKLM:\SOFTWARE\WOW6432Node\Microsoft\Windows\CurrentVersion\Uninstall') {
    if (Test-Path $root) {
      $found += @(Get-ChildItem $root -ErrorAction SilentlyContinue | ForEach-Object { Get-ItemProperty $_.PSPath -ErrorAction SilentlyContinue } |
        Where-Object { ('' + $_.DisplayName + ' ' + $_.Publisher) -match 'kaspersky|bkav|defender|virus|internet security|total security|smart security|security cloud|endpoint|windows server|eset|mcafee|symantec|norton|avast|avg|bitdefender|trend micro|sophos' } |
        ForEach-Object { Pick $_ @('DisplayName','DisplayVersion','Publisher') })
    }
  }
  $found
}
Section 'avstate' {
  $v = Values 'HKLM:\SOFTWARE\WOW6432Node\__AVSTATE__' $null
  if ($null -eq $v) { $v = Values 'HKLM:\SOFTWARE\__AVSTATE__' $null }
  $v
}
if ($os -and $os.ProductType -eq 1) {
  Section 'security_center' {
    @(Q 'root\SecurityCenter2' 'AntiVirusProduct' | ForEach-Object {
      $h = Pick $_ @('displayName','instanceGuid','pathToSignedProductExe','productState','timestamp')
      $path = [Environment]::ExpandEnvironmentVariables([string]$h.pathToSignedProductExe)
      if ($path -match '^[A-Za-z]:\\') { $h.exe_exists = [bool](Test-Path -LiteralPath $path) } else { $h.exe_exists = $null }
      $h })
  }
}
if (@($services | Where-Object { $_.Name -eq 'WinDefend' }).Count -gt 0 -and (Get-Command Get-MpComputerStatus -ErrorAction SilentlyContinue)) {
  Section 'defender' {
    $ps = [PowerShell]::Create()
    [void]$ps.AddScript('$s = Get-MpComputerStatus; $u = $s.AntivirusSignatureLastUpdated; if ($u) { $u = $u.ToUniversalTime().ToString("yyyy-MM-dd''T''HH:mm:ss''Z''") }; @{ AMRunningMode = [string]$s.AMRunningMode; AMServiceEnabled = $s.AMServiceEnabled; AntivirusEnabled = $s.AntivirusEnabled; RealTimeProtectionEnabled = $s.RealTimeProtectionEnabled; AMProductVersion = $s.AMProductVersion; AntivirusSignatureLastUpdated = $u }')
    $handle = $ps.BeginInvoke()
    if (-not $handle.AsyncWaitHandle.WaitOne(__DEFENDER_MS__)) { [void]$ps.BeginStop($null, $null); throw 'Get-MpComputerStatus did not answer within __DEFENDER_MS__ ms' }
    $out = @($ps.EndInvoke($handle))
    if ($out.Count -eq 0 -and $ps.Streams.Error.Count -gt 0) { throw $ps.Streams.Error[0].Exception }
    $out[0]
  }
}
Emit @{ done = $true }
[Environment]::Exit(0)
""".replace("__AVSTATE__", r"KasperskyLab\Components\34\1103\1.0.0.0\Statistics\AVState").replace(
    "__DEFENDER_MS__", str(DEFENDER_TIMEOUT_MS))


def encoded_command(script=SCRIPT):
    """The script as `-EncodedCommand` wants it: base64 of UTF-16LE.

    `-Command -` would read stdin line by line, which breaks multi-line blocks
    (PowerShell/PowerShell issue 3223); an encoded command is parsed whole, on every version.
    """
    return base64.b64encode(script.strip().encode("utf-16-le")).decode("ascii")
