// The renderer's own texts in each UI language (classic script: the page loads it
// before prompt.js; file:// pages cannot import modules). Action texts and PAM text
// come already localized from the daemon; these are only labels and notices.
// '{n}' and '{t}' are filled in by the renderer (a number, a duration).

interface PromptStrings {
  readonly title: string;
  readonly pressSak: string;
  readonly sakWhy: string;
  readonly unprotected: string;
  readonly secretIntro: string;
  readonly program: string;
  readonly commandLine: string;
  readonly user: string;
  readonly startedBy: string;
  readonly action: string;
  readonly details: string;
  readonly authenticateAs: string;
  readonly chooseHint: string;
  readonly answerHint: string;
  readonly echoNote: string;
  readonly verifying: string;
  readonly retry: string;
  readonly locked: string;
  readonly countdown: string;
  readonly finishedAuthenticated: string;
  readonly finishedDismissed: string;
  readonly finishedFailed: string;
  readonly noticeSakAgain: string;
  readonly noticeCapsLock: string;
  readonly noticeInputFull: string;
  readonly noticePin: string;
  readonly noticeTimedOut: string;
  readonly noticePinNew: string;
  readonly noticePinAgain: string;
  readonly noticePinMismatch: string;
  readonly invalidState: string;
}

/** Languages written right to left (the page gets dir="rtl"). */
const RTL_LANGUAGES: readonly string[] = ['ar', 'fa', 'he', 'ur'];

const PROMPT_STRINGS: Readonly<Record<string, PromptStrings>> = {
  en: {
    title: 'Authentication required',
    pressSak: 'Press Ctrl+Alt+Pause to continue',
    sakWhy: 'Only the real prompt reacts to this key. Never type your password into a window that did not ask for it.',
    unprotected: 'This display does not protect what you type: other programs may see or record it.',
    secretIntro: 'Your secret picture and phrase. Type only if you recognise them.',
    program: 'Program',
    commandLine: 'Command line',
    user: 'User',
    startedBy: 'Started by',
    action: 'Action',
    details: 'Details',
    authenticateAs: 'Authenticate as',
    chooseHint: 'Up and Down choose, Enter confirms, Escape cancels',
    answerHint: 'Enter submits, Escape cancels',
    echoNote: 'This answer is not secret, but it is shown as dots.',
    verifying: 'Checking…',
    retry: 'That did not work. Attempts left: {n}',
    locked: 'Too many failed attempts. Try again in {t}.',
    countdown: 'This prompt closes in {t}',
    finishedAuthenticated: 'Authenticated',
    finishedDismissed: 'Cancelled',
    finishedFailed: 'Authentication failed',
    noticeSakAgain: 'The prompt was interrupted. Press Ctrl+Alt+Pause again before you type.',
    noticeCapsLock: 'Caps Lock is on.',
    noticeInputFull: 'The answer is at its length limit; further keys are ignored.',
    noticePin: 'Enter your PIN.',
    noticeTimedOut: 'The prompt waited too long and was closed.',
    noticePinNew: 'Choose a PIN of at least 4 characters. It will stand in for your password when you confirm your own requests here.',
    noticePinAgain: 'Type the same PIN again.',
    noticePinMismatch: 'That PIN was too short or not the same. Choose a PIN of at least 4 characters.',
    invalidState: 'The prompt received a request it cannot show. Nothing was approved.',
  },
  de: {
    title: 'Authentifizierung erforderlich',
    pressSak: 'Zum Fortfahren Strg+Alt+Pause drücken',
    sakWhy: 'Nur die echte Abfrage reagiert auf diese Taste. Geben Sie Ihr Passwort nie in ein Fenster ein, das nicht danach gefragt hat.',
    unprotected: 'Diese Anzeige schützt Ihre Eingabe nicht: andere Programme können sie sehen oder aufzeichnen.',
    secretIntro: 'Ihr geheimes Bild und Ihr Satz. Tippen Sie nur, wenn Sie beide wiedererkennen.',
    program: 'Programm',
    commandLine: 'Befehlszeile',
    user: 'Benutzer',
    startedBy: 'Gestartet von',
    action: 'Aktion',
    details: 'Details',
    authenticateAs: 'Authentifizieren als',
    chooseHint: 'Auf und Ab wählen, Eingabe bestätigt, Esc bricht ab',
    answerHint: 'Eingabe sendet, Esc bricht ab',
    echoNote: 'Diese Antwort ist nicht geheim, wird aber als Punkte angezeigt.',
    verifying: 'Wird geprüft …',
    retry: 'Das hat nicht geklappt. Verbleibende Versuche: {n}',
    locked: 'Zu viele Fehlversuche. Erneut versuchen in {t}.',
    countdown: 'Diese Abfrage schließt in {t}',
    finishedAuthenticated: 'Authentifiziert',
    finishedDismissed: 'Abgebrochen',
    finishedFailed: 'Authentifizierung fehlgeschlagen',
    noticeSakAgain: 'Die Abfrage wurde unterbrochen. Drücken Sie erneut Strg+Alt+Pause, bevor Sie tippen.',
    noticeCapsLock: 'Die Feststelltaste ist aktiv.',
    noticeInputFull: 'Die Antwort hat ihre Höchstlänge erreicht; weitere Tasten werden ignoriert.',
    noticePin: 'Geben Sie Ihre PIN ein.',
    noticeTimedOut: 'Die Abfrage hat zu lange gewartet und wurde geschlossen.',
    noticePinNew: 'Wählen Sie eine PIN aus mindestens 4 Zeichen. Sie ersetzt Ihr Passwort, wenn Sie hier Ihre eigenen Anfragen bestätigen.',
    noticePinAgain: 'Geben Sie dieselbe PIN noch einmal ein.',
    noticePinMismatch: 'Die PIN war zu kurz oder nicht dieselbe. Wählen Sie eine PIN aus mindestens 4 Zeichen.',
    invalidState: 'Die Abfrage hat eine Anfrage erhalten, die sie nicht anzeigen kann. Nichts wurde genehmigt.',
  },
  fr: {
    title: 'Authentification requise',
    pressSak: 'Appuyez sur Ctrl+Alt+Pause pour continuer',
    sakWhy: 'Seule la vraie invite réagit à cette touche. Ne tapez jamais votre mot de passe dans une fenêtre qui ne l’a pas demandé.',
    unprotected: 'Cet affichage ne protège pas ce que vous tapez : d’autres programmes peuvent le voir ou l’enregistrer.',
    secretIntro: 'Votre image et votre phrase secrètes. Ne tapez que si vous les reconnaissez.',
    program: 'Programme',
    commandLine: 'Ligne de commande',
    user: 'Utilisateur',
    startedBy: 'Lancé par',
    action: 'Action',
    details: 'Détails',
    authenticateAs: 'S’authentifier en tant que',
    chooseHint: 'Haut et Bas pour choisir, Entrée pour confirmer, Échap pour annuler',
    answerHint: 'Entrée pour valider, Échap pour annuler',
    echoNote: 'Cette réponse n’est pas secrète, mais elle s’affiche en points.',
    verifying: 'Vérification…',
    retry: 'Échec. Tentatives restantes : {n}',
    locked: 'Trop de tentatives échouées. Réessayez dans {t}.',
    countdown: 'Cette invite se ferme dans {t}',
    finishedAuthenticated: 'Authentifié',
    finishedDismissed: 'Annulé',
    finishedFailed: 'Échec de l’authentification',
    noticeSakAgain: 'L’invite a été interrompue. Appuyez de nouveau sur Ctrl+Alt+Pause avant de taper.',
    noticeCapsLock: 'Le verrouillage des majuscules est activé.',
    noticeInputFull: 'La réponse a atteint sa longueur maximale ; les touches suivantes sont ignorées.',
    noticePin: 'Saisissez votre code PIN.',
    noticeTimedOut: 'L’invite a attendu trop longtemps et a été fermée.',
    noticePinNew: 'Choisissez un code PIN d’au moins 4 caractères. Il remplacera votre mot de passe quand vous confirmez ici vos propres demandes.',
    noticePinAgain: 'Saisissez le même code PIN une seconde fois.',
    noticePinMismatch: 'Ce code PIN était trop court ou différent. Choisissez un code PIN d’au moins 4 caractères.',
    invalidState: 'L’invite a reçu une demande qu’elle ne peut pas afficher. Rien n’a été autorisé.',
  },
  es: {
    title: 'Se requiere autenticación',
    pressSak: 'Pulse Ctrl+Alt+Pausa para continuar',
    sakWhy: 'Solo el diálogo auténtico responde a esta tecla. No escriba nunca su contraseña en una ventana que no la haya pedido.',
    unprotected: 'Esta pantalla no protege lo que escribe: otros programas pueden verlo o grabarlo.',
    secretIntro: 'Su imagen y su frase secretas. Escriba solo si las reconoce.',
    program: 'Programa',
    commandLine: 'Línea de órdenes',
    user: 'Usuario',
    startedBy: 'Iniciado por',
    action: 'Acción',
    details: 'Detalles',
    authenticateAs: 'Autenticarse como',
    chooseHint: 'Arriba y Abajo eligen, Intro confirma, Esc cancela',
    answerHint: 'Intro envía, Esc cancela',
    echoNote: 'Esta respuesta no es secreta, pero se muestra con puntos.',
    verifying: 'Comprobando…',
    retry: 'No ha funcionado. Intentos restantes: {n}',
    locked: 'Demasiados intentos fallidos. Vuelva a intentarlo en {t}.',
    countdown: 'Este diálogo se cierra en {t}',
    finishedAuthenticated: 'Autenticado',
    finishedDismissed: 'Cancelado',
    finishedFailed: 'La autenticación ha fallado',
    noticeSakAgain: 'El diálogo se ha interrumpido. Pulse de nuevo Ctrl+Alt+Pausa antes de escribir.',
    noticeCapsLock: 'Bloq Mayús está activado.',
    noticeInputFull: 'La respuesta ha llegado a su longitud máxima; se ignoran más teclas.',
    noticePin: 'Introduzca su PIN.',
    noticeTimedOut: 'El diálogo esperó demasiado y se ha cerrado.',
    noticePinNew: 'Elija un PIN de al menos 4 caracteres. Sustituirá a su contraseña cuando confirme aquí sus propias solicitudes.',
    noticePinAgain: 'Introduzca el mismo PIN otra vez.',
    noticePinMismatch: 'Ese PIN era demasiado corto o no coincide. Elija un PIN de al menos 4 caracteres.',
    invalidState: 'El diálogo recibió una solicitud que no puede mostrar. No se ha aprobado nada.',
  },
  ja: {
    title: '認証が必要です',
    pressSak: '続けるには Ctrl+Alt+Pause を押してください',
    sakWhy: 'このキーに反応するのは本物の認証画面だけです。求められていないウィンドウにパスワードを入力しないでください。',
    unprotected: 'この画面は入力内容を保護しません。他のプログラムが見たり記録したりできます。',
    secretIntro: 'あなたの秘密の画像と言葉です。見覚えがある場合だけ入力してください。',
    program: 'プログラム',
    commandLine: 'コマンドライン',
    user: 'ユーザー',
    startedBy: '起動元',
    action: '操作',
    details: '詳細',
    authenticateAs: '認証するユーザー',
    chooseHint: '上下キーで選択、Enter で確定、Esc で取り消し',
    answerHint: 'Enter で送信、Esc で取り消し',
    echoNote: 'この回答は秘密ではありませんが、点で表示されます。',
    verifying: '確認しています…',
    retry: '認証できませんでした。残りの試行回数: {n}',
    locked: '失敗が多すぎます。{t} 後にもう一度お試しください。',
    countdown: 'この画面はあと {t} で閉じます',
    finishedAuthenticated: '認証されました',
    finishedDismissed: '取り消されました',
    finishedFailed: '認証に失敗しました',
    noticeSakAgain: '認証画面が中断されました。入力する前にもう一度 Ctrl+Alt+Pause を押してください。',
    noticeCapsLock: 'Caps Lock がオンです。',
    noticeInputFull: '回答が最大の長さに達しました。これ以上のキーは無視されます。',
    noticePin: 'PIN を入力してください。',
    noticeTimedOut: '待ち時間が長すぎたため、認証画面を閉じました。',
    noticePinNew: '4 文字以上の PIN を決めてください。ここで自分の要求を確認するとき、パスワードの代わりに使えます。',
    noticePinAgain: '確認のため、同じ PIN をもう一度入力してください。',
    noticePinMismatch: 'PIN が短すぎるか、一致しませんでした。4 文字以上の PIN を決めてください。',
    invalidState: '表示できない要求を受け取りました。何も承認されていません。',
  },
  ar: {
    title: 'المصادقة مطلوبة',
    pressSak: 'اضغط Ctrl+Alt+Pause للمتابعة',
    sakWhy: 'لا يستجيب لهذا المفتاح إلا مربع المصادقة الحقيقي. لا تكتب كلمة مرورك أبدًا في نافذة لم تطلبها.',
    unprotected: 'هذه الشاشة لا تحمي ما تكتبه: يمكن لبرامج أخرى رؤيته أو تسجيله.',
    secretIntro: 'صورتك وعبارتك السرّيتان. اكتب فقط إذا تعرّفت عليهما.',
    program: 'البرنامج',
    commandLine: 'سطر الأوامر',
    user: 'المستخدم',
    startedBy: 'بدأه',
    action: 'الإجراء',
    details: 'التفاصيل',
    authenticateAs: 'المصادقة باسم',
    chooseHint: 'الأعلى والأسفل للاختيار، Enter للتأكيد، Esc للإلغاء',
    answerHint: 'Enter للإرسال، Esc للإلغاء',
    echoNote: 'هذه الإجابة ليست سرّية، لكنها تظهر نقاطًا.',
    verifying: 'جارٍ التحقق…',
    retry: 'لم ينجح ذلك. المحاولات المتبقية: {n}',
    locked: 'محاولات فاشلة كثيرة. حاول مجددًا بعد {t}.',
    countdown: 'يُغلق هذا المربع بعد {t}',
    finishedAuthenticated: 'تمت المصادقة',
    finishedDismissed: 'أُلغي',
    finishedFailed: 'فشلت المصادقة',
    noticeSakAgain: 'انقطع مربع المصادقة. اضغط Ctrl+Alt+Pause مجددًا قبل الكتابة.',
    noticeCapsLock: 'مفتاح Caps Lock مفعّل.',
    noticeInputFull: 'بلغت الإجابة حدّها الأقصى؛ سيتم تجاهل المفاتيح الإضافية.',
    noticePin: 'أدخل رمز PIN.',
    noticeTimedOut: 'انتظر مربع المصادقة طويلًا فأُغلق.',
    noticePinNew: 'اختر رمز PIN من 4 أحرف على الأقل. سيحل محل كلمة المرور عندما تؤكد طلباتك هنا.',
    noticePinAgain: 'أدخل رمز PIN نفسه مرة أخرى.',
    noticePinMismatch: 'كان رمز PIN قصيرًا جدًا أو غير مطابق. اختر رمز PIN من 4 أحرف على الأقل.',
    invalidState: 'تلقّى مربع المصادقة طلبًا لا يمكنه عرضه. لم تتم الموافقة على أي شيء.',
  },
};

/** The strings of a BCP 47 tag's language (English when there are none). */
function stringsFor(lang: string): PromptStrings {
  const primary = lang.toLowerCase().split(/[-_]/)[0] ?? '';
  return PROMPT_STRINGS[primary] ?? (PROMPT_STRINGS['en'] as PromptStrings);
}

function isRtl(lang: string): boolean {
  return RTL_LANGUAGES.includes(lang.toLowerCase().split(/[-_]/)[0] ?? '');
}
