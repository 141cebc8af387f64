; Inno Setup script: a per-user Windows installer for Casebook (no administrator rights).
;
; Compile on Windows with Inno Setup 6 (ISCC.exe), after building the bundle there:
;     python -m PyInstaller --distpath dist --workpath build\pyinstaller installer\casebook.spec
;     "%ProgramFiles(x86)%\Inno Setup 6\ISCC.exe" /DAppVersion=0.1.0 installer\casebook.iss
; installer/windows-build.yml is a CI workflow that does both. Nothing on the Linux
; development machine can compile or run this script: it is checked as text only.
;
; Installs dist\Casebook to %LOCALAPPDATA%\Programs\Casebook, adds a Start menu shortcut,
; opens .casebook files with Casebook, and registers an uninstaller under the user's own
; "Installed apps". The case stores live apart, in %LOCALAPPDATA%\Casebook: the uninstaller
; leaves them unless the person asks for them to be deleted too.

#ifndef AppVersion
  #define AppVersion "0.1.0"
#endif
#define AppName "Casebook"
#define AppExe "Casebook.exe"

[Setup]
AppId={{6F0C2B4E-3D1A-4E7B-9C55-0B8A4C2E7D31}
AppName={#AppName}
AppVersion={#AppVersion}
AppPublisher=Casebook
AppComments=Parent Code of Conduct casework for UK school trusts
; Per user: no administrator rights, nothing written outside the user's own profile.
PrivilegesRequired=lowest
DefaultDirName={localappdata}\Programs\Casebook
DisableDirPage=yes
DefaultGroupName={#AppName}
DisableProgramGroupPage=yes
UninstallDisplayName={#AppName}
UninstallDisplayIcon={app}\{#AppExe}
ChangesAssociations=yes
OutputDir=..\dist
OutputBaseFilename=Casebook-{#AppVersion}-setup
SetupIconFile=..\build\casebook.ico
Compression=lzma2
SolidCompression=yes
WizardStyle=modern
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible

[Languages]
Name: "english"; MessagesFile: "compiler:Default.isl"

[Files]
Source: "..\dist\Casebook\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{userprograms}\{#AppName}"; Filename: "{app}\{#AppExe}"; Comment: "Open Casebook"
Name: "{userdesktop}\{#AppName}"; Filename: "{app}\{#AppExe}"; Tasks: desktopicon

[Tasks]
Name: "desktopicon"; Description: "Add a Casebook icon to the desktop"; Flags: unchecked

[Registry]
; .casebook files open in Casebook (HKCU: this user only).
Root: HKCU; Subkey: "Software\Classes\.casebook"; ValueType: string; ValueName: ""; ValueData: "Casebook.Store"; Flags: uninsdeletevalue
Root: HKCU; Subkey: "Software\Classes\Casebook.Store"; ValueType: string; ValueName: ""; ValueData: "Casebook case store"; Flags: uninsdeletekey
Root: HKCU; Subkey: "Software\Classes\Casebook.Store\DefaultIcon"; ValueType: string; ValueName: ""; ValueData: "{app}\{#AppExe},0"
Root: HKCU; Subkey: "Software\Classes\Casebook.Store\shell\open\command"; ValueType: string; ValueName: ""; ValueData: """{app}\{#AppExe}"" gui --db ""%1"""

[Run]
Filename: "{app}\{#AppExe}"; Description: "Open Casebook now"; Flags: nowait postinstall skipifsilent

[UninstallDelete]
; Only what Casebook itself writes beside the program; never the case stores.
Type: filesandordirs; Name: "{app}\_internal\__pycache__"

[Code]
// The uninstaller removes the program. The case stores, their key files and the log stay
// in %LOCALAPPDATA%\Casebook unless the person says, twice, to delete them as well.
procedure CurUninstallStepChanged(CurUninstallStep: TUninstallStep);
var
  DataDir: String;
begin
  if CurUninstallStep = usPostUninstall then
  begin
    DataDir := ExpandConstant('{localappdata}\Casebook');
    if DirExists(DataDir) and not UninstallSilent() then
    begin
      if MsgBox('Casebook is removed. Your case stores are still in' + #13#10 + DataDir + #13#10#13#10 +
                'Delete the case stores as well? Keep them if you may need the case files again, ' +
                'or have not made a backup.', mbConfirmation, MB_YESNO or MB_DEFBUTTON2) = IDYES then
      begin
        if MsgBox('Delete every case store in ' + DataDir + '? This cannot be undone.',
                  mbError, MB_YESNO or MB_DEFBUTTON2) = IDYES then
          DelTree(DataDir, True, True, True);
      end;
    end;
  end;
end;
