/* TEST-ONLY PAM module: exercises the helper's conversation with an info message,
 * an echoed question and an error message. Argument: answer=EXPECTED.
 * The answer "switch-user" is also accepted and makes the account step change
 * PAM_USER to "nobody", which the helper must refuse. */
#include <string.h>
#include <stdlib.h>
#include <security/pam_modules.h>
#include <security/pam_ext.h>

int
pam_sm_authenticate(pam_handle_t *ph, int flags, int argc, const char **argv)
{
	const char *want = "";
	char *got = NULL;
	int i, ok;

	(void)flags;
	for (i = 0; i < argc; i++)
		if (strncmp(argv[i], "answer=", 7) == 0)
			want = argv[i] + 7;
	if (pam_info(ph, "Second factor: answer the question") != PAM_SUCCESS)
		return PAM_CONV_ERR;
	if (pam_prompt(ph, PAM_PROMPT_ECHO_ON, &got, "Favourite colour: ") != PAM_SUCCESS ||
	    got == NULL)
		return PAM_CONV_ERR;
	ok = strcmp(got, want) == 0;
	if (strcmp(got, "switch-user") == 0) {
		ok = 1;
		if (pam_set_data(ph, "tp_switch", (void *)ph, NULL) != PAM_SUCCESS)
			ok = 0;
	}
	free(got);
	if (!ok) {
		pam_error(ph, "Wrong colour");
		return PAM_AUTH_ERR;
	}
	return PAM_SUCCESS;
}

int
pam_sm_acct_mgmt(pam_handle_t *ph, int flags, int argc, const char **argv)
{
	const void *sw = NULL;

	(void)flags; (void)argc; (void)argv;
	if (pam_get_data(ph, "tp_switch", &sw) == PAM_SUCCESS && sw != NULL)
		return pam_set_item(ph, PAM_USER, "nobody");
	return PAM_SUCCESS;
}

int
pam_sm_setcred(pam_handle_t *ph, int flags, int argc, const char **argv)
{
	(void)ph; (void)flags; (void)argc; (void)argv;
	return PAM_SUCCESS;
}
