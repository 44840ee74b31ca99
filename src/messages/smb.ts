import type { Catalogue } from './text.js';

/** SMB: NTSTATUS values (`smb.<STATUS>`), the protocol codec, the session and the transport. */
export const smbMessages = {
  'smb.ACCESS_DENIED': {
    es: 'Acceso denegado por el servidor SMB.',
    en: 'Access denied by the SMB server.',
  },
  'smb.ACCOUNT_DISABLED': {
    es: 'La cuenta está deshabilitada.',
    en: 'The account is disabled.',
  },
  'smb.ACCOUNT_DISABLED.hint': {
    es: 'Pida al administrador que la habilite.',
    en: 'Ask the administrator to enable it.',
  },
  'smb.ACCOUNT_LOCKED_OUT': {
    es: 'La cuenta está bloqueada por demasiados intentos fallidos.',
    en: 'The account is locked out after too many failed attempts.',
  },
  'smb.ACCOUNT_LOCKED_OUT.hint': {
    es: 'Pida al administrador que la desbloquee, o espere a que caduque el bloqueo, y corrija la contraseña guardada.',
    en: 'Ask the administrator to unlock it, or wait for the lockout to expire, and fix the saved password.',
  },
  'smb.ACCOUNT_RESTRICTION': {
    es: 'La cuenta tiene restricciones que impiden iniciar sesión (p. ej. contraseña vacía).',
    en: 'Account restrictions prevent logging on (e.g. an empty password).',
  },
  'smb.BAD_NETWORK_NAME': {
    es: 'El recurso compartido no existe en el servidor.',
    en: 'The share does not exist on the server.',
  },
  'smb.BAD_NETWORK_NAME.hint': {
    es: 'Revise el nombre del recurso compartido (sin barras, p. ej. "datos").',
    en: 'Check the share name (no slashes, e.g. "data").',
  },
  'smb.BAD_NETWORK_PATH': {
    es: 'No se encuentra la ruta de red.',
    en: 'The network path was not found.',
  },
  'smb.BAD_NETWORK_PATH.hint': {
    es: 'Revise el servidor y el recurso compartido.',
    en: 'Check the server and share.',
  },
  'smb.CANCELLED': {
    es: 'Operación cancelada.',
    en: 'Operation cancelled.',
  },
  'smb.DELETE_PENDING': {
    es: 'El archivo se está borrando en el servidor.',
    en: 'The file is being deleted on the server.',
  },
  'smb.DIRECTORY_NOT_EMPTY': {
    es: 'La carpeta no está vacía.',
    en: 'The folder is not empty.',
  },
  'smb.DISK_FULL': {
    es: 'El disco del servidor está lleno.',
    en: 'The server disk is full.',
  },
  'smb.DISK_FULL.hint': {
    es: 'Libere espacio en el servidor.',
    en: 'Free space on the server.',
  },
  'smb.FILE_CLOSED': {
    es: 'El servidor cerró el archivo antes de tiempo.',
    en: 'The server closed the file early.',
  },
  'smb.FILE_IS_A_DIRECTORY': {
    es: 'La ruta es una carpeta, no un archivo.',
    en: 'The path is a folder, not a file.',
  },
  'smb.FILE_LOCK_CONFLICT': {
    es: 'El archivo está bloqueado en el servidor.',
    en: 'The file is locked on the server.',
  },
  'smb.FILE_TOO_LARGE': {
    es: 'El archivo es demasiado grande para el servidor.',
    en: 'The file is too large for the server.',
  },
  'smb.INSUFFICIENT_RESOURCES': {
    es: 'El servidor no tiene recursos suficientes ahora.',
    en: 'The server is out of resources now.',
  },
  'smb.INSUFFICIENT_RESOURCES.hint': {
    es: 'Vuelva a intentarlo más tarde.',
    en: 'Try again later.',
  },
  'smb.INVALID_DEVICE_REQUEST': {
    es: 'El servidor SMB no admite esta operación.',
    en: 'The SMB server does not support this operation.',
  },
  'smb.INVALID_HANDLE': {
    es: 'Identificador de archivo no válido en el servidor.',
    en: 'Invalid file handle on the server.',
  },
  'smb.INVALID_LOGON_HOURS': {
    es: 'La cuenta no puede iniciar sesión a esta hora.',
    en: 'The account may not log on at this time.',
  },
  'smb.INVALID_LOGON_HOURS.hint': {
    es: 'Revise el horario permitido de la cuenta en el dominio.',
    en: 'Check the account logon hours in the domain.',
  },
  'smb.INVALID_PARAMETER': {
    es: 'El servidor SMB rechazó un parámetro de la petición.',
    en: 'The SMB server rejected a request parameter.',
  },
  'smb.INVALID_WORKSTATION': {
    es: 'La cuenta no puede iniciar sesión desde este equipo.',
    en: 'The account may not log on from this computer.',
  },
  'smb.INVALID_WORKSTATION.hint': {
    es: 'Revise los equipos permitidos de la cuenta en el dominio.',
    en: 'Check the workstations allowed for the account.',
  },
  'smb.IO_TIMEOUT': {
    es: 'El servidor SMB no completó la operación a tiempo.',
    en: 'The SMB server did not complete the operation in time.',
  },
  'smb.LOCK_NOT_GRANTED': {
    es: 'El archivo está bloqueado en el servidor.',
    en: 'The file is locked on the server.',
  },
  'smb.LOGON_FAILURE': {
    es: 'El servidor SMB rechazó el usuario o la contraseña.',
    en: 'The SMB server refused the user name or password.',
  },
  'smb.MEDIA_WRITE_PROTECTED': {
    es: 'El recurso compartido es de solo lectura.',
    en: 'The share is read-only.',
  },
  'smb.MEDIA_WRITE_PROTECTED.hint': {
    es: 'Quite "read only" del recurso en el servidor o elija otro recurso.',
    en: 'Make the share writable on the server or choose another share.',
  },
  'smb.NETWORK_ACCESS_DENIED': {
    es: 'Acceso de red denegado al recurso compartido.',
    en: 'Network access to the share denied.',
  },
  'smb.NETWORK_NAME_DELETED': {
    es: 'El servidor cerró la conexión al recurso.',
    en: 'The server closed the share connection.',
  },
  'smb.NETWORK_SESSION_EXPIRED': {
    es: 'La sesión SMB caducó.',
    en: 'The SMB session expired.',
  },
  'smb.NOT_A_DIRECTORY': {
    es: 'Una parte de la ruta remota es un archivo, no una carpeta.',
    en: 'Part of the remote path is a file, not a folder.',
  },
  'smb.NOT_FOUND': {
    es: 'No encontrado en el servidor.',
    en: 'Not found on the server.',
  },
  'smb.NOT_SAME_DEVICE': {
    es: 'No se puede renombrar entre volúmenes distintos.',
    en: 'Cannot rename across volumes.',
  },
  'smb.NOT_SUPPORTED': {
    es: 'El servidor SMB no admite esta operación.',
    en: 'The SMB server does not support this operation.',
  },
  'smb.NO_SUCH_USER': {
    es: 'El usuario no existe en el servidor o en el dominio.',
    en: 'The user does not exist on the server or in the domain.',
  },
  'smb.OBJECT_NAME_COLLISION': {
    es: 'Ya existe un archivo con ese nombre en el servidor.',
    en: 'A file with that name already exists on the server.',
  },
  'smb.OBJECT_NAME_INVALID': {
    es: 'Nombre de archivo o carpeta no válido para SMB.',
    en: 'Invalid file or folder name for SMB.',
  },
  'smb.OBJECT_NAME_INVALID.hint': {
    es: 'Evite los caracteres \\ / : * ? " < > | en la ruta remota.',
    en: 'Avoid the characters \\ / : * ? " < > | in the remote path.',
  },
  'smb.OBJECT_NAME_NOT_FOUND': {
    es: 'El archivo no existe en el servidor.',
    en: 'The file does not exist on the server.',
  },
  'smb.OBJECT_NAME_NOT_FOUND.hint': {
    es: 'Revise la ruta remota.',
    en: 'Check the remote path.',
  },
  'smb.OBJECT_PATH_INVALID': {
    es: 'Ruta remota no válida para SMB.',
    en: 'Invalid remote path for SMB.',
  },
  'smb.OBJECT_PATH_NOT_FOUND': {
    es: 'La carpeta no existe en el servidor.',
    en: 'The folder does not exist on the server.',
  },
  'smb.PASSWORD_EXPIRED': {
    es: 'La contraseña ha caducado.',
    en: 'The password has expired.',
  },
  'smb.PASSWORD_EXPIRED.hint': {
    es: 'Cambie la contraseña en el dominio y guárdela de nuevo aquí.',
    en: 'Change the password in the domain and save it here again.',
  },
  'smb.PASSWORD_MUST_CHANGE': {
    es: 'La contraseña debe cambiarse antes de usarla.',
    en: 'The password must be changed before use.',
  },
  'smb.PATH_NOT_COVERED': {
    es: 'El recurso es un espacio DFS, que este cliente no sigue.',
    en: 'The share is a DFS namespace, which this client does not follow.',
  },
  'smb.PATH_NOT_COVERED.hint': {
    es: 'Use el servidor y recurso de destino reales en lugar del nombre DFS.',
    en: 'Use the real target server and share instead of the DFS name.',
  },
  'smb.QUOTA_EXCEEDED': {
    es: 'Se superó la cuota del usuario en el servidor.',
    en: 'The user quota on the server is exceeded.',
  },
  'smb.QUOTA_EXCEEDED.hint': {
    es: 'Libere espacio o pida más cuota.',
    en: 'Free space or ask for a larger quota.',
  },
  'smb.REQUEST_NOT_ACCEPTED': {
    es: 'El servidor no acepta más conexiones.',
    en: 'The server accepts no more connections.',
  },
  'smb.REQUEST_NOT_ACCEPTED.hint': {
    es: 'Espere o revise el límite de conexiones del servidor.',
    en: 'Wait or check the server connection limit.',
  },
  'smb.SHARING_VIOLATION': {
    es: 'Otro programa tiene el archivo abierto en el servidor.',
    en: 'Another program has the file open on the server.',
  },
  'smb.SHARING_VIOLATION.hint': {
    es: 'Espere y vuelva a intentarlo.',
    en: 'Wait and try again.',
  },
  'smb.USER_SESSION_DELETED': {
    es: 'El servidor cerró la sesión.',
    en: 'The server closed the session.',
  },
  'smb.WRONG_PASSWORD': {
    es: 'Contraseña incorrecta.',
    en: 'Wrong password.',
  },
  'smb.already_exists_server': {
    es: '{path} ya existe en el servidor.',
    en: '{path} already exists on the server.',
  },
  'smb.answer_without_server_flag': {
    es: 'respuesta sin la marca de servidor',
    en: 'answer without the server flag',
  },
  'smb.bad_create_response_size': {
    es: 'tamaño de CREATE incorrecto',
    en: 'bad CREATE response size',
  },
  'smb.bad_ioctl_response_size': {
    es: 'tamaño de IOCTL incorrecto',
    en: 'bad IOCTL response size',
  },
  'smb.bad_negotiate_response_size': {
    es: 'tamaño de NEGOTIATE incorrecto',
    en: 'bad NEGOTIATE response size',
  },
  'smb.bad_nextcommand': {
    es: 'NextCommand incorrecto',
    en: 'bad NextCommand',
  },
  'smb.bad_ntlm_challenge': {
    es: 'desafío NTLM incorrecto: {message}',
    en: 'bad NTLM challenge: {message}',
  },
  'smb.bad_query_directory_response': {
    es: 'tamaño de QUERY_DIRECTORY incorrecto',
    en: 'bad QUERY_DIRECTORY response size',
  },
  'smb.bad_query_info_response': {
    es: 'tamaño de QUERY_INFO incorrecto',
    en: 'bad QUERY_INFO response size',
  },
  'smb.bad_read_response_size': {
    es: 'tamaño de READ incorrecto',
    en: 'bad READ response size',
  },
  'smb.bad_session_setup_response': {
    es: 'tamaño de SESSION_SETUP incorrecto',
    en: 'bad SESSION_SETUP response size',
  },
  'smb.bad_signature_answer': {
    es: 'firma incorrecta en la respuesta {command}',
    en: 'bad signature on {command} answer',
  },
  'smb.bad_signature_session_setup': {
    es: 'firma incorrecta en la respuesta de inicio de sesión',
    en: 'bad signature on the session setup answer',
  },
  'smb.bad_tree_connect_response': {
    es: 'tamaño de TREE_CONNECT incorrecto',
    en: 'bad TREE_CONNECT response size',
  },
  'smb.bad_write_response_size': {
    es: 'tamaño de WRITE incorrecto',
    en: 'bad WRITE response size',
  },
  'smb.changed_server': {
    es: '{path} cambió en el servidor.',
    en: '{path} changed on the server.',
  },
  'smb.check_credentials': {
    es: 'Revise el usuario, la contraseña y el dominio (en Active Directory, el dominio NetBIOS, p. ej. CORDIAX, o el formato usuario@dominio).',
    en: 'Check the user name, password and domain (for Active Directory, the NetBIOS domain, e.g. CORDIAX, or user@domain).',
  },
  'smb.check_name_use_ip': {
    es: 'Revise el nombre o use la dirección IP.',
    en: 'Check the name or use the IP address.',
  },
  'smb.check_network': {
    es: 'Compruebe la red.',
    en: 'Check the network.',
  },
  'smb.check_network_server_still': {
    es: 'Compruebe la red y que el servidor sigue en marcha; la próxima sincronización reconectará.',
    en: 'Check the network and that the server is still running; the next sync reconnects.',
  },
  'smb.check_permissions': {
    es: 'Compruebe en el servidor que el usuario tiene permiso de lectura y escritura en el recurso compartido y en la carpeta remota.',
    en: 'Check on the server that the user may read and write the share and the remote folder.',
  },
  'smb.check_server_address_file': {
    es: 'Compruebe la dirección del servidor, que Samba/Windows comparte archivos y que el cortafuegos deja pasar los puertos 445 o 139.',
    en: 'Check the server address, that file sharing is on, and that the firewall lets ports 445 or 139 through.',
  },
  'smb.check_server_min_protocol': {
    es: 'Revise "server min protocol" en el servidor; este cliente habla SMB 2.0.2 a 3.1.1 (SMB1 no).',
    en: 'Check "server min protocol" on the server; this client speaks SMB 2.0.2 to 3.1.1 (not SMB1).',
  },
  'smb.check_server_up_network': {
    es: 'Compruebe que el servidor está encendido y la red funciona; reintente más tarde.',
    en: 'Check that the server is up and the network works; try again later.',
  },
  'smb.check_user_name_password': {
    es: 'Revise el usuario, la contraseña y el dominio.',
    en: 'Check the user name, password and domain.',
  },
  'smb.connected': {
    es: 'Conectado a \\\\{host}\\{share} (SMB {dialect}, {security}, {auth}).',
    en: 'Connected to \\\\{host}\\{share} (SMB {dialect}, {security}, {auth}).',
  },
  'smb.connection_smb_server_dropped': {
    es: 'Se cortó la conexión con el servidor SMB ({what}).',
    en: 'The connection to the SMB server dropped ({what}).',
  },
  'smb.data_after_netbios_session': {
    es: 'datos tras la respuesta de sesión NetBIOS',
    en: 'data after the NetBIOS session response',
  },
  'smb.directory_entry_chain_loops': {
    es: 'la cadena de entradas de carpeta no avanza',
    en: 'directory entry chain loops',
  },
  'smb.disconnected': {
    es: 'Desconectado de \\\\{host}\\{share}.',
    en: 'Disconnected from \\\\{host}\\{share}.',
  },
  'smb.enable_smb3_server': {
    es: 'Active SMB3 en el servidor.',
    en: 'Enable SMB3 on the server.',
  },
  'smb.encrypted_message_failed_authentication': {
    es: 'el mensaje cifrado no supera la autenticación',
    en: 'encrypted message failed authentication',
  },
  'smb.encrypted_message_without_encryption': {
    es: 'mensaje cifrado sin claves de cifrado',
    en: 'encrypted message without encryption keys',
  },
  'smb.file_shrank_while_being': {
    es: 'El archivo {value} se acortó durante la lectura.',
    en: 'The file {value} shrank while being read.',
  },
  'smb.frame_bytes_exceeds_limit': {
    es: 'trama de {length} bytes supera el límite',
    en: 'frame of {length} bytes exceeds the limit',
  },
  'smb.invalid_remote_path': {
    es: 'Ruta remota no válida: {rel}',
    en: 'Invalid remote path: {rel}',
  },
  'smb.invalid_smb_answer': {
    es: 'Respuesta SMB no válida: {detail}.',
    en: 'Invalid SMB answer: {detail}.',
  },
  'smb.invalid_smb_path_contains': {
    es: 'Ruta SMB no válida (contiene ".."): {path}',
    en: 'Invalid SMB path (contains ".."): {path}',
  },
  'smb.logged_connected_share': {
    es: 'Inicio de sesión y conexión al recurso compartido.',
    en: 'Logged in and connected to the share.',
  },
  'smb.message_shorter_than_smb2': {
    es: 'mensaje más corto que la cabecera SMB2',
    en: 'message shorter than the SMB2 header',
  },
  'smb.message_too_short': {
    es: 'mensaje demasiado corto',
    en: 'message too short',
  },
  'smb.network_error_smb_server': {
    es: 'Error de red con el servidor SMB: {code}.',
    en: 'Network error with the SMB server: {code}.',
  },
  'smb.no_preauth_integrity_3_1_1': {
    es: '3.1.1 sin integridad previa SHA-512',
    en: '3.1.1 without SHA-512 preauth integrity',
  },
  'smb.not_smb2_message': {
    es: 'no es un mensaje SMB2',
    en: 'not an SMB2 message',
  },
  'smb.out_bounds': {
    es: '{what} fuera de límites',
    en: '{what} out of bounds',
  },
  'smb.reconnected_smb': {
    es: 'Reconectado a \\\\{host}\\{share} (SMB {dialect}).',
    en: 'Reconnected to \\\\{host}\\{share} (SMB {dialect}).',
  },
  'smb.remote_file_too_large': {
    es: 'El archivo remoto {path} es demasiado grande ({size} bytes).',
    en: 'The remote file {path} is too large ({size} bytes).',
  },
  'smb.remote_folder_reachable_created': {
    es: 'Carpeta remota accesible (creada si faltaba).',
    en: 'Remote folder reachable (created if missing).',
  },
  'smb.security_encrypted': {
    es: 'cifrado {enc}',
    en: 'encrypted {enc}',
  },
  'smb.security_signed': {
    es: 'firmado {algorithm}',
    en: 'signed {algorithm}',
  },
  'smb.security_unsigned': {
    es: 'sin firma',
    en: 'unsigned',
  },
  'smb.server_accepts_none_smb': {
    es: 'El servidor no acepta ninguno de los dialectos SMB ofrecidos ({dialects}).',
    en: 'The server accepts none of the SMB dialects offered ({dialects}).',
  },
  'smb.server_chose_dialect_0x': {
    es: 'el servidor eligió el dialecto 0x{dialect}, que no ofrecimos',
    en: 'server chose dialect 0x{dialect} we did not offer',
  },
  'smb.server_demands_encryption_without': {
    es: 'el servidor exige cifrado sin un algoritmo',
    en: 'server demands encryption without a cipher',
  },
  'smb.server_granted_no_credits': {
    es: 'el servidor no concede créditos para {command}',
    en: 'the server granted no credits for {command}',
  },
  'smb.server_not_allow_smb3_encryption': {
    es: 'El servidor no permite cifrado SMB3 (dialecto {dialect}).',
    en: 'The server does not allow SMB3 encryption (dialect {dialect}).',
  },
  'smb.server_not_speak_smb2': {
    es: 'El servidor no habla SMB2/3 correctamente o la red altera los datos; revise el servidor y el puerto.',
    en: 'The server does not speak SMB2/3 correctly or the network alters the data; check the server and port.',
  },
  'smb.server_refused_netbios_session': {
    es: 'El servidor rechazó la sesión NetBIOS (código 0x{code}).',
    en: 'The server refused the NetBIOS session (code 0x{code}).',
  },
  'smb.server_wrote_bytes': {
    es: 'El servidor escribió {n} de {data} bytes en {value}.',
    en: 'The server wrote {n} of {data} bytes to {value}.',
  },
  'smb.share_requires_smb3_encryption': {
    es: 'El recurso exige cifrado SMB3 y el servidor no lo negoció.',
    en: 'The share requires SMB3 encryption and the server did not negotiate it.',
  },
  'smb.smb_client_closed': {
    es: 'El cliente SMB está cerrado.',
    en: 'The SMB client is closed.',
  },
  'smb.smb_connection_lost': {
    es: 'Conexión SMB perdida: {text}',
    en: 'SMB connection lost: {text}',
  },
  'smb.smb_server_answered': {
    es: 'El servidor SMB respondió {name} a {command}{suffix}.',
    en: 'The SMB server answered {name} to {command}{suffix}.',
  },
  'smb.smb_server_empty_enter': {
    es: 'smb.server está vacío: indique la IP o el nombre del servidor SMB.',
    en: 'smb.server is empty: enter the SMB server address or name.',
  },
  'smb.smb_server_name_cannot': {
    es: 'No se encuentra el nombre del servidor SMB.',
    en: 'The SMB server name cannot be resolved.',
  },
  'smb.smb_server_not_answer_time': {
    es: 'El servidor SMB no respondió a tiempo ({what}).',
    en: 'The SMB server did not answer in time ({what}).',
  },
  'smb.smb_server_only_accepted': {
    es: 'El servidor SMB aceptó la conexión solo como invitado: no reconoce el usuario o la contraseña.',
    en: 'The SMB server only accepted a guest session: it does not recognise the user name or password.',
  },
  'smb.smb_server_refused_connection': {
    es: 'El servidor SMB rechazó la conexión.',
    en: 'The SMB server refused the connection.',
  },
  'smb.smb_share_name_must': {
    es: 'smb.share_name debe ser solo el nombre del recurso compartido (p. ej. "datos").',
    en: 'smb.share_name must be just the share name (e.g. "data").',
  },
  'smb.temporary_name_already_existed': {
    es: 'El nombre temporal ya existía.',
    en: 'The temporary name already existed.',
  },
  'smb.too_large_bytes': {
    es: '{path} es demasiado grande ({size} bytes).',
    en: '{path} is too large ({size} bytes).',
  },
  'smb.too_many_negotiate_contexts': {
    es: 'demasiados contextos de negociación',
    en: 'too many negotiate contexts',
  },
  'smb.unexpected_netbios_answer_type': {
    es: 'respuesta NetBIOS inesperada de tipo {type}',
    en: 'unexpected NetBIOS answer type {type}',
  },
  'smb.unexpected_netbios_frame_type': {
    es: 'tipo de trama NetBIOS inesperado {type}',
    en: 'unexpected NetBIOS frame type {type}',
  },
  'smb.unsigned_3_1_1': {
    es: 'respuesta de inicio de sesión 3.1.1 sin firmar',
    en: 'unsigned 3.1.1 session setup answer',
  },
  'smb.unsigned_answer_signed_session': {
    es: 'respuesta {command} sin firmar en una sesión firmada',
    en: 'unsigned {command} answer on a signed session',
  },
  'smb.use_port_445_check': {
    es: 'Use el puerto 445 o revise el nombre del servidor.',
    en: 'Use port 445 or check the server name.',
  },
  'smb.validate_negotiate_info_mismatch': {
    es: 'VALIDATE_NEGOTIATE_INFO no coincide (alguien alteró la negociación)',
    en: 'VALIDATE_NEGOTIATE_INFO mismatch (the negotiation was tampered with)',
  },
} as const satisfies Catalogue;
