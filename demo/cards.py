"""The demo program's card settings: a phone and a plain-language summary of the New Mexico
Harm Reduction Act, marked as a template. Each program must have its own legal text reviewed
by someone who knows its state's law before it prints cards (see the README)."""

from accounts.models import Program, User
from cards.models import CardSettings
from cards.services import update_card_settings

DEMO_CARD_PHONE = "(505) 555-0142"

# A summary to start from, not legal advice: NMSA 1978, Chapter 24, Article 2C.
NEW_MEXICO_TEMPLATE_EN = (
    "TEMPLATE - have it reviewed before use. The bearer is a participant of a harm reduction "
    "program approved by the New Mexico Department of Health under the Harm Reduction Act "
    "(NMSA 1978, Sections 24-2C-1 to 24-2C-6). Under the Act, having, giving out and "
    "exchanging syringes, needles and other supplies through the program is not a crime under "
    "the Controlled Substances Act. Please check this card with the QR code or the check code."
)
NEW_MEXICO_TEMPLATE_ES = (
    "PLANTILLA - hágala revisar antes de usarla. El portador participa en un programa de "
    "reducción de daños aprobado por el Departamento de Salud de Nuevo México según la Ley de "
    "Reducción de Daños (NMSA 1978, secciones 24-2C-1 a 24-2C-6). Según la Ley, tener, repartir "
    "e intercambiar jeringas, agujas y otros materiales del programa no es delito según la Ley "
    "de Sustancias Controladas. Verifique esta tarjeta con el código QR o el código de "
    "verificación."
)


def seed_demo_card_settings(*, program: Program, manager: User) -> None:
    """The template legal text, not marked as reviewed; left alone once a manager set any."""
    if CardSettings.objects.filter(program=program).exists():
        return
    update_card_settings(
        by=manager,
        phone=DEMO_CARD_PHONE,
        legal_text_en=NEW_MEXICO_TEMPLATE_EN,
        legal_text_es=NEW_MEXICO_TEMPLATE_ES,
        legal_text_reviewed=False,
    )
